import type { SimulatedFault } from '@bud/contracts';
import type { JobModel, ObservedHealth } from '../../domain/job-model';

/** The image a fault's `match.image` is a substring of: the container image, the model engine or the chart. */
export function faultImageOf(job: JobModel): string {
  return job.spec.kind === 'container' ? job.spec.image : job.spec.kind === 'model' ? job.spec.engine : job.spec.chart_ref;
}

/** The first fault that matches the job (docs/design.md#simulated-faults), or undefined. */
export function faultFor(job: JobModel, faults: readonly SimulatedFault[]): SimulatedFault | undefined {
  const image = faultImageOf(job);
  return faults.find(
    (fault) =>
      (fault.match.image === undefined || image.includes(fault.match.image)) &&
      (fault.match.job_name === undefined || fault.match.job_name === job.name),
  );
}

export interface FaultState {
  /** The job's health now; `failed` for a batch job that crashed. */
  health: ObservedHealth;
  failed: boolean;
  /** When the state changes next (ms on the clock), or null when it stays. */
  nextChangeAt: number | null;
}

const HEALTHY: ObservedHealth = { health: 'healthy', reason: 'Ready' };

/**
 * What a running job's pods do under a fault that applies since `sinceMs` (the later of the job becoming ready and the
 * fault appearing in the settings): `unready` turns unhealthy after after_seconds, back after for_seconds when given;
 * `crash` turns a service unhealthy (CrashLoopBackOff) and fails a batch job after after_seconds; `never_ready` has
 * nothing more to do with pods already ready.
 */
export function faultStateAt(
  fault: SimulatedFault | undefined,
  job: Pick<JobModel, 'jobType' | 'resources'>,
  sinceMs: number,
  nowMs: number,
): FaultState {
  if (!fault || fault.kind === 'never_ready') return { health: HEALTHY, failed: false, nextChangeAt: null };
  const startsAt = sinceMs + (fault.after_seconds ?? 0) * 1000;
  if (nowMs < startsAt) return { health: HEALTHY, failed: false, nextChangeAt: startsAt };
  const replicas = Math.max(job.resources.replicas, 1);
  if (fault.kind === 'crash') {
    return {
      health: { health: 'unhealthy', reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' },
      failed: job.jobType !== 'service',
      nextChangeAt: null,
    };
  }
  const endsAt = fault.for_seconds === undefined ? null : startsAt + fault.for_seconds * 1000;
  if (endsAt !== null && nowMs >= endsAt) return { health: HEALTHY, failed: false, nextChangeAt: null };
  return {
    health: { health: 'unhealthy', reason: 'Unready', message: `0/${replicas} replicas ready` },
    failed: false,
    nextChangeAt: endsAt,
  };
}

/** A new generation that changes nothing but the replica count scales without restarting a pod. */
export function replicasOnlyChange(before: JobModel, after: JobModel): boolean {
  const withoutReplicas = (job: JobModel) => stable({ ...job.resources, replicas: 0 });
  return (
    stable(before.spec) === stable(after.spec) &&
    withoutReplicas(before) === withoutReplicas(after) &&
    before.secretEnvSealed === after.secretEnvSealed
  );
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
