import type { GpuInventory, JobStatus, JobType, ScheduleResponse } from '@bud/contracts';
import type { ClusterQuotas, TenantQuota } from './quota-model';
import { BUILT_IN_CLUSTER_QUOTAS, effectiveQuota, gpuQuotaOf } from './quota-model';

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
  tenantId: string;
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
  // A Map: GPU type names come from jobs (`constructor` is a valid one) and must not reach Object.prototype's members.
  const gpus = new Map<string, { total: number; used: number; queued: number }>();
  for (const [type, total] of Object.entries(inventory)) gpus.set(type, { total, used: 0, queued: 0 });
  // Other tenants' work counts in the types the cluster has or the caller uses; a type only others name stays theirs.
  const shown = new Set([...gpus.keys(), ...jobs.filter((job) => job.gpuType && job.gpuCount > 0).map((job) => job.gpuType ?? '')]);
  for (const use of usage) {
    if (!shown.has(use.gpuType)) continue;
    const bucket = gpus.get(use.gpuType) ?? { total: 0, used: 0, queued: 0 };
    gpus.set(use.gpuType, bucket);
    bucket.used += use.used;
    bucket.queued += use.queued;
  }
  const entries = jobs.map((job) => {
    const start = job.startedAt ?? job.queuedAt ?? job.createdAt;
    const estimatedEnd = job.maxRuntimeSeconds ? new Date(start.getTime() + job.maxRuntimeSeconds * 1000) : window.end;
    const end = job.completedAt ?? estimatedEnd;
    // A type the caller's jobs use shows even when nothing of it is held now.
    if (job.gpuType && job.gpuCount > 0 && !gpus.has(job.gpuType)) gpus.set(job.gpuType, { total: 0, used: 0, queued: 0 });
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
  return { start: window.start.toISOString(), end: window.end.toISOString(), jobs: entries, gpus: Object.fromEntries(gpus) };
}

/** Waiting jobs per GPU type that get an estimate; the ones behind them answer null (unknown). */
export const ESTIMATED_WAITING_PER_TYPE = 500;

/**
 * When each waiting GPU job of the cluster is expected to start (docs/design.md#quotas): per GPU type, the waiting
 * jobs in queue order (priority, then time queued) each take the first moment, not before the previous start in its
 * tenant's queue, from which enough GPUs of its type stay free, and its tenant's held GPUs stay within its quota
 * (nominal + borrowing limit; nominal alone outside the cohort), for its whole run. GPUs come back at work's
 * expected ends — started + max_runtime_seconds, a bound: work without one (services) never gives them back here.
 * Null when that moment never comes (more than the cluster or the quota allows, or behind work without an end) and
 * for work without GPUs. An estimate: preemption and reclaiming nominal quota can only make work start sooner for
 * the preemptor and later for its victims.
 */
export function estimateStarts(
  now: Date,
  inventory: GpuInventory,
  work: readonly ClusterWork[],
  quotas: ClusterQuotas = BUILT_IN_CLUSTER_QUOTAS,
): Map<string, Date | null> {
  const starts = new Map<string, Date | null>();
  const gpuWork = work.filter((w) => w.gpuType !== null && w.gpuCount > 0);
  for (const w of work) if (GPU_WAITING_STATUSES.includes(w.status) && !(w.gpuType !== null && w.gpuCount > 0)) starts.set(w.id, null);
  const from = now.getTime();
  const endOf = (start: number, maxRuntimeSeconds: number | undefined) =>
    maxRuntimeSeconds ? Math.max(start + maxRuntimeSeconds * 1000, from) : null;
  for (const type of new Set(gpuWork.map((w) => w.gpuType as string))) {
    const ofType = gpuWork.filter((w) => w.gpuType === type);
    const timeline = new GpuTimeline(from, inventory[type] ?? 0);
    for (const w of ofType.filter((x) => GPU_HOLDING_STATUSES.includes(x.status)))
      timeline.hold(w.tenantId, from, endOf((w.startedAt ?? now).getTime(), w.maxRuntimeSeconds), w.gpuCount);
    const waiting = ofType
      .filter((w) => GPU_WAITING_STATUSES.includes(w.status))
      .sort(
        (a, b) =>
          b.priority - a.priority ||
          (a.queuedAt ?? a.createdAt).getTime() - (b.queuedAt ?? b.createdAt).getTime() ||
          a.id.localeCompare(b.id),
      );
    const cursors = new Map<string, number>();
    for (const [index, w] of waiting.entries()) {
      const cursor = cursors.get(w.tenantId) ?? from;
      const runMs = w.maxRuntimeSeconds ? w.maxRuntimeSeconds * 1000 : null;
      const at =
        index < ESTIMATED_WAITING_PER_TYPE
          ? timeline.firstFit(cursor, runMs, w.gpuCount, w.tenantId, quotaCeiling(effectiveQuota(quotas, w.tenantId), type))
          : null;
      starts.set(w.id, at === null ? null : new Date(at));
      if (at === null) continue; // It holds back no one (Kueue's BestEffortFIFO).
      cursors.set(w.tenantId, at);
      timeline.hold(w.tenantId, at, runMs === null ? null : at + runMs, w.gpuCount);
    }
  }
  return starts;
}

/** The most GPUs of a product a tenant may hold: nominal + borrowing limit, nominal alone outside the cohort. */
function quotaCeiling(quota: TenantQuota, product: string): number {
  const { nominal, borrowingLimit } = gpuQuotaOf(quota, product);
  if (!quota.cohort) return nominal;
  return borrowingLimit === null ? Infinity : nominal + borrowingLimit;
}

/**
 * GPUs of one type over time as a step function: segment i runs from times[i] to times[i + 1] (the last one
 * forever) with free[i] GPUs free on the cluster and held.get(tenant)[i] held by the tenant.
 */
class GpuTimeline {
  private readonly times: number[];
  private readonly free: number[];
  private readonly held = new Map<string, number[]>();

  constructor(start: number, total: number) {
    this.times = [start];
    this.free = [total];
  }

  /** `gpus` held by `tenant` from `from` until `to` (null: forever). */
  hold(tenant: string, from: number, to: number | null, gpus: number): void {
    if (to !== null && to <= from) return;
    const first = this.pointAt(from);
    const last = to === null ? this.times.length : this.pointAt(to);
    const held = this.heldOf(tenant);
    for (let i = first; i < last; i++) {
      this.free[i] -= gpus;
      held[i] += gpus;
    }
  }

  /**
   * The first moment ≥ `from` from which `gpus` stay free and the tenant stays within `ceiling` for `runMs` (null:
   * forever); null when none. A segment that fails rules out every start up to its end, so one sweep suffices.
   */
  firstFit(from: number, runMs: number | null, gpus: number, tenant: string, ceiling: number): number | null {
    const held = this.heldOf(tenant);
    let start = from;
    let k = this.segmentAt(from);
    for (;;) {
      const end = runMs === null ? Infinity : start + runMs;
      let failed = -1;
      for (let m = k; m < this.times.length && this.times[m] < end; m++) {
        if (this.free[m] < gpus || held[m] + gpus > ceiling) {
          failed = m;
          break;
        }
      }
      if (failed === -1) return start;
      if (failed + 1 >= this.times.length) return null;
      k = failed + 1;
      start = this.times[k];
    }
  }

  private heldOf(tenant: string): number[] {
    let held = this.held.get(tenant);
    if (!held) this.held.set(tenant, (held = this.times.map(() => 0)));
    return held;
  }

  /** The segment that contains `t` (t ≥ the first time). */
  private segmentAt(t: number): number {
    let i = this.times.length - 1;
    while (i > 0 && this.times[i] > t) i--;
    return i;
  }

  /** The index of a segment starting exactly at `t`, splitting the one that contains it. */
  private pointAt(t: number): number {
    const i = this.segmentAt(t);
    if (this.times[i] === t) return i;
    this.times.splice(i + 1, 0, t);
    this.free.splice(i + 1, 0, this.free[i]);
    for (const held of this.held.values()) held.splice(i + 1, 0, held[i]);
    return i + 1;
  }
}
