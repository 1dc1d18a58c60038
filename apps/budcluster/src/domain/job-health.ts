import type { JobHealth, JobResources, JobSpec, JobStatus } from '@bud/contracts';
import type { ObservedStatus } from './job-model';

/** The health and rollout columns of a job row (docs/design.md#job-health). */
export interface JobHealthState {
  health: JobHealth;
  healthReason: string | null;
  healthMessage: string | null;
  generation: number;
  observedGeneration: number;
  rolloutReplicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  rolloutStartedAt: Date | null;
  lastGoodGeneration: number | null;
  lastGoodSpec: JobSpec | null;
  lastGoodResources: JobResources | null;
  lastGoodSecretEnvSealed: string | null;
}

/** What the rule needs of the job beside its health: the spec that a completed rollout makes the last good one. */
export interface JobHealthRow extends JobHealthState {
  status: JobStatus;
  spec: JobSpec;
  resources: JobResources;
  secretEnvSealed: string | null;
}

export type HealthChangeKind = 'health' | 'rollout';

export interface HealthChange {
  fields: Partial<JobHealthState>;
  /** The event type of a change that moves no status: `health` when the health moved, else `rollout`. */
  kind: HealthChangeKind;
}

const TERMINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * docs/design.md#job-health: the health/rollout columns after an observation, given the status the job has after it
 * (`statusMoved`: this observation moved it there). Returns only the columns that change, or null.
 * - a move to running without a health observation is healthy; a terminal status is unknown;
 * - a rollout report older than the generation already rolled out changes nothing (stale);
 * - observed_generation moves only on a complete rollout; a complete rollout of the current generation ends the
 *   rollout (healthy unless the observation says otherwise) and makes this spec the last good one;
 * - while a newer generation rolls out, a "healthy" report of the old one keeps the job `progressing`.
 */
export function healthAfter(job: JobHealthRow, observed: ObservedStatus, statusMoved: boolean): HealthChange | null {
  const next: JobHealthState = pickState(job);
  const status = statusMoved ? observed.status : job.status;
  if (TERMINAL.includes(status)) {
    // A finished job has no rollout left to watch.
    if (statusMoved)
      Object.assign(next, {
        health: 'unknown',
        healthReason: observed.reason,
        healthMessage: observed.message ?? null,
        rolloutStartedAt: null,
      });
    return diff(job, next);
  }
  const rollout = observed.rollout;
  let completedNow = false;
  if (rollout && rollout.generation >= job.observedGeneration) {
    next.rolloutReplicas = rollout.replicas;
    next.readyReplicas = rollout.readyReplicas;
    next.updatedReplicas = rollout.updatedReplicas;
    if (rollout.complete && rollout.generation > job.observedGeneration) {
      next.observedGeneration = Math.min(rollout.generation, job.generation);
      completedNow = rollout.generation >= job.generation;
    }
  } else if (!rollout && statusMoved && status === 'running' && job.rolloutStartedAt === null && job.observedGeneration < job.generation) {
    // A driver that reports no rollouts: reaching running is the rollout of the generation it was given.
    next.observedGeneration = job.generation;
    completedNow = true;
  }
  if (observed.health) {
    next.health = observed.health.health;
    next.healthReason = observed.health.reason;
    next.healthMessage = observed.health.message ?? null;
  } else if (statusMoved && status === 'running') {
    Object.assign(next, { health: 'healthy', healthReason: observed.reason, healthMessage: null });
  }
  if (completedNow) {
    if (!observed.health) Object.assign(next, { health: 'healthy', healthReason: 'RolloutComplete', healthMessage: null });
    Object.assign(next, {
      rolloutStartedAt: null,
      lastGoodGeneration: job.generation,
      lastGoodSpec: job.spec,
      lastGoodResources: job.resources,
      lastGoodSecretEnvSealed: job.secretEnvSealed,
    });
  } else if (next.observedGeneration < job.generation && next.health === 'healthy' && job.rolloutStartedAt !== null) {
    Object.assign(next, { health: 'progressing', healthReason: job.healthReason, healthMessage: job.healthMessage });
    if (job.health !== 'progressing') next.healthReason = 'RollingUpdate';
  }
  return diff(job, next);
}

function pickState(job: JobHealthRow): JobHealthState {
  return {
    health: job.health,
    healthReason: job.healthReason,
    healthMessage: job.healthMessage,
    generation: job.generation,
    observedGeneration: job.observedGeneration,
    rolloutReplicas: job.rolloutReplicas,
    readyReplicas: job.readyReplicas,
    updatedReplicas: job.updatedReplicas,
    rolloutStartedAt: job.rolloutStartedAt,
    lastGoodGeneration: job.lastGoodGeneration,
    lastGoodSpec: job.lastGoodSpec,
    lastGoodResources: job.lastGoodResources,
    lastGoodSecretEnvSealed: job.lastGoodSecretEnvSealed,
  };
}

const HEALTH_KEYS: ReadonlyArray<keyof JobHealthState> = ['health', 'healthReason', 'healthMessage'];

function diff(job: JobHealthRow, next: JobHealthState): HealthChange | null {
  const fields: Partial<JobHealthState> = {};
  for (const key of Object.keys(next) as Array<keyof JobHealthState>) {
    if (!sameValue(job[key], next[key])) (fields as Record<string, unknown>)[key] = next[key];
  }
  const keys = Object.keys(fields) as Array<keyof JobHealthState>;
  if (keys.length === 0) return null;
  // A new generation rolled out is a rollout; a health move (with the ready count that explains it) is health.
  const rolledOut = keys.includes('observedGeneration');
  return { fields, kind: !rolledOut && keys.some((key) => HEALTH_KEYS.includes(key)) ? 'health' : 'rollout' };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return a === b;
}
