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
  /** 1-based place in its tenant's queue while it waits (the job row's queue_position). */
  queuePosition?: number | null;
}

/** A job of any tenant on the cluster that holds or waits for GPUs: what estimated starts are computed from. */
export interface ClusterWork {
  id: string;
  status: JobStatus;
  gpuType: string | null;
  gpuCount: number;
  priority: number;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
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
  estimatedStarts: ReadonlyMap<string, Date | null> = new Map(),
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
      queue_position: GPU_WAITING_STATUSES.includes(job.status) ? (job.queuePosition ?? null) : null,
      estimated_start: GPU_WAITING_STATUSES.includes(job.status) ? (estimatedStarts.get(job.id)?.toISOString() ?? null) : null,
    };
  });
  return { start: window.start.toISOString(), end: window.end.toISOString(), jobs: entries, gpus };
}

/**
 * When each waiting GPU job of the cluster is expected to start (docs/design.md#quotas): per GPU type, the waiting
 * jobs in queue order (priority, then time queued) each take the first moment at or after the one before it starts
 * when enough GPUs of its type are free, GPUs being freed by work's expected ends — started + max_runtime_seconds, a
 * bound: work without one (services) never frees its GPUs here. A job that starts here holds its GPUs until its own
 * bound. Null when that moment never comes (more than the cluster has, or behind work without an end) and for work
 * without GPUs. Quotas can only delay these starts: this is the cluster's capacity, not the tenant's share of it.
 */
export function estimateStarts(now: Date, inventory: GpuInventory, work: readonly ClusterWork[]): Map<string, Date | null> {
  const starts = new Map<string, Date | null>();
  const gpuWork = work.filter((w) => w.gpuType !== null && w.gpuCount > 0);
  for (const w of work) if (GPU_WAITING_STATUSES.includes(w.status) && !gpuWork.includes(w)) starts.set(w.id, null);
  const types = new Set(gpuWork.map((w) => w.gpuType as string));
  for (const type of types) {
    const ofType = gpuWork.filter((w) => w.gpuType === type);
    const total = inventory[type] ?? 0;
    let free = total;
    // GPUs coming back at a moment (ms since epoch) → how many.
    const releases: Array<{ at: number; gpus: number }> = [];
    const hold = (from: number, gpus: number, maxRuntimeSeconds: number | undefined) => {
      free -= gpus;
      if (maxRuntimeSeconds) releases.push({ at: Math.max(from + maxRuntimeSeconds * 1000, now.getTime()), gpus });
    };
    for (const w of ofType.filter((x) => GPU_HOLDING_STATUSES.includes(x.status)))
      hold((w.startedAt ?? now).getTime(), w.gpuCount, w.maxRuntimeSeconds);
    const waiting = ofType
      .filter((w) => GPU_WAITING_STATUSES.includes(w.status))
      .sort(
        (a, b) =>
          b.priority - a.priority ||
          (a.queuedAt ?? a.createdAt).getTime() - (b.queuedAt ?? b.createdAt).getTime() ||
          a.id.localeCompare(b.id),
      );
    let cursor = now.getTime();
    for (const w of waiting) {
      const at = w.gpuCount > total ? null : firstMomentFree(cursor, w.gpuCount, free, releases);
      starts.set(w.id, at === null ? null : new Date(at));
      if (at === null) continue; // It does not hold back the work behind it (Kueue's BestEffortFIFO).
      cursor = at;
      // Free GPUs as of `at`: the releases up to it are spent into `free`, so later ones count from there.
      for (const r of releases.filter((x) => x.at <= at)) free += r.gpus;
      releases.splice(0, releases.length, ...releases.filter((x) => x.at > at));
      hold(at, w.gpuCount, w.maxRuntimeSeconds);
    }
  }
  return starts;
}

/** The first moment ≥ `from` when `free` plus the releases up to it reach `needed`; null when it never comes. */
function firstMomentFree(from: number, needed: number, free: number, releases: ReadonlyArray<{ at: number; gpus: number }>): number | null {
  if (free >= needed) return from;
  let available = free;
  for (const r of [...releases].sort((a, b) => a.at - b.at)) {
    available += r.gpus;
    if (available >= needed) return Math.max(r.at, from);
  }
  return null;
}
