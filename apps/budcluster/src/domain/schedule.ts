import type { GpuInventory, JobStatus, JobType, ScheduleResponse } from '@bud/contracts';

export interface ScheduledJob {
  id: string;
  name: string;
  status: JobStatus;
  jobType: JobType;
  gpuType: string | null;
  gpuCount: number;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  maxRuntimeSeconds?: number;
}

/** Jobs in these statuses hold their GPUs (`used`). */
export const GPU_HOLDING_STATUSES: readonly JobStatus[] = ['admitted', 'running'];
/** Jobs in these statuses wait for theirs (`queued`). */
export const GPU_WAITING_STATUSES: readonly JobStatus[] = ['pending', 'queued', 'preempted'];

/** GPUs of one type that the cluster's jobs hold or wait for now, every tenant's together. */
export interface GpuUse {
  gpuType: string;
  used: number;
  queued: number;
}

/**
 * The timeline of docs/design.md#jobs: each of the caller's jobs with its span (actual, or estimated when unfinished),
 * and GPU use per type. `usage` counts every tenant's jobs on the cluster (docs/design.md#cluster-status): on a shared
 * cluster another tenant's GPUs show in the totals while its jobs stay out of `jobs`.
 */
export function buildSchedule(
  window: { start: Date; end: Date },
  inventory: GpuInventory,
  jobs: ScheduledJob[],
  usage: readonly GpuUse[],
): ScheduleResponse {
  const gpus: ScheduleResponse['gpus'] = {};
  for (const [type, total] of Object.entries(inventory)) gpus[type] = { total, used: 0, queued: 0 };
  for (const use of usage) {
    const bucket = (gpus[use.gpuType] ??= { total: 0, used: 0, queued: 0 });
    bucket.used += use.used;
    bucket.queued += use.queued;
  }
  const entries = jobs.map((job) => {
    const start = job.startedAt ?? job.queuedAt ?? job.createdAt;
    const estimatedEnd = job.maxRuntimeSeconds ? new Date(start.getTime() + job.maxRuntimeSeconds * 1000) : window.end;
    const end = job.completedAt ?? estimatedEnd;
    // A type the caller's jobs use shows even when nothing of it is held now.
    if (job.gpuType && job.gpuCount > 0) gpus[job.gpuType] ??= { total: 0, used: 0, queued: 0 };
    return {
      job_id: job.id,
      name: job.name,
      status: job.status,
      job_type: job.jobType,
      gpu_type: job.gpuType,
      gpu_count: job.gpuCount,
      start: start.toISOString(),
      end: end.toISOString(),
      end_is_estimate: job.completedAt === null,
      queue_position: null,
      estimated_start: null,
    };
  });
  return { start: window.start.toISOString(), end: window.end.toISOString(), jobs: entries, gpus };
}
