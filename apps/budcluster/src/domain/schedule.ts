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

const HOLDING: readonly JobStatus[] = ['admitted', 'running'];
const WAITING: readonly JobStatus[] = ['pending', 'queued', 'preempted'];

/** The timeline of docs/design.md#jobs: each job's span (actual, or estimated when unfinished) and GPU use per type. */
export function buildSchedule(window: { start: Date; end: Date }, inventory: GpuInventory, jobs: ScheduledJob[]): ScheduleResponse {
  const gpus: ScheduleResponse['gpus'] = {};
  for (const [type, total] of Object.entries(inventory)) gpus[type] = { total, used: 0, queued: 0 };
  const entries = jobs.map((job) => {
    const start = job.startedAt ?? job.queuedAt ?? job.createdAt;
    const estimatedEnd = job.maxRuntimeSeconds ? new Date(start.getTime() + job.maxRuntimeSeconds * 1000) : window.end;
    const end = job.completedAt ?? estimatedEnd;
    if (job.gpuType && job.gpuCount > 0) {
      const bucket = (gpus[job.gpuType] ??= { total: 0, used: 0, queued: 0 });
      if (HOLDING.includes(job.status)) bucket.used += job.gpuCount;
      if (WAITING.includes(job.status)) bucket.queued += job.gpuCount;
    }
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
    };
  });
  return { start: window.start.toISOString(), end: window.end.toISOString(), jobs: entries, gpus };
}
