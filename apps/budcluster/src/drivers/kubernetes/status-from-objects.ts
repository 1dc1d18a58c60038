import type { JobStatus } from '@bud/contracts';
import type { ObservedHealth, ObservedRollout } from '../../domain/job-model';
import { isRecord, type ManagedObject } from './managed-object';

/** What one primary object says about its job; `reason` is PascalCase. */
export interface DerivedStatus {
  status: JobStatus;
  reason: string;
  message?: string;
  /** docs/design.md#job-health; absent where the object says nothing about it (a queued or finished job). */
  health?: ObservedHealth;
  rollout?: ObservedRollout;
}

/** What the caller knows beyond the object. */
export interface StatusContext {
  /** The job was running before this observation: a rollout or lost readiness then leaves it running, and never fails it. */
  wasRunning?: boolean;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const MAX_MESSAGE = 1000;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]{0,99}$/;
/** The deployment controller's Progressing reason once the newest ReplicaSet has rolled out completely. */
const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';

/** Status of the job from its primary object; null for kinds that carry no status (Service, PVC, sources). */
export function statusFromObject(object: ManagedObject, context: StatusContext = {}): DerivedStatus | null {
  switch (object.kind.kind) {
    case 'Deployment':
      return deploymentStatus(object, context);
    case 'Job':
      return batchJobStatus(object);
    case 'HelmRelease':
      return helmReleaseStatus(object, context);
    default:
      return null;
  }
}

/**
 * docs/design.md#job-health. The rollout is complete once the controller has seen the newest spec and every replica
 * is an available one of the newest ReplicaSet. After that, a replica that loses readiness makes the job unhealthy;
 * an update or scale still under way makes it progressing. A Deployment that has served (it completed a rollout,
 * was updated, or still has available replicas) is never failed by a stuck update: the watchdog rolls it back.
 */
export function deploymentStatus(object: ManagedObject, context: StatusContext = {}): DerivedStatus {
  const conditions = conditionsOf(object.status);
  const desired = numberOr(object.spec.replicas, 1);
  const total = numberOr(object.status.replicas, 0);
  const updated = numberOr(object.status.updatedReplicas, 0);
  const ready = numberOr(object.status.readyReplicas, 0);
  const available = numberOr(object.status.availableReplicas, 0);
  const current = numberOr(object.status.observedGeneration, 0) >= (object.generation ?? 0);
  const progressing = find(conditions, 'Progressing');
  // Every replica belongs to the newest ReplicaSet: nothing is left to roll.
  const settled = current && updated >= desired && total <= updated;
  const allReady = ready >= desired && available >= desired;
  const rollout: ObservedRollout = {
    generation: object.jobGeneration,
    complete: settled && allReady,
    replicas: desired,
    readyReplicas: ready,
    updatedReplicas: updated,
  };
  const served = context.wasRunning === true || progressing?.reason === NEW_RS_AVAILABLE;
  const availableNow = find(conditions, 'Available')?.status === 'True' && ready >= desired && current;
  const status: JobStatus = availableNow || served ? 'running' : 'admitted';
  const reason = status === 'running' ? 'Available' : 'Progressing';
  const counts = `${ready}/${desired} replicas ready`;
  // An update (generation > 1) or replicas still available mean an earlier spec ran: a stuck update is not the end.
  const updateStuck = served || available > 0 || object.jobGeneration > 1;

  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    if (!updateStuck) return derived('failed', 'ProgressDeadlineExceeded', progressing.message);
    return withHealth(status, reason, counts, health('unhealthy', 'ProgressDeadlineExceeded', progressing.message), rollout);
  }
  const replicaFailure = find(conditions, 'ReplicaFailure');
  if (replicaFailure?.status === 'True') {
    if (!updateStuck) return derived('failed', 'ReplicaFailure', joined(replicaFailure));
    return withHealth(status, reason, counts, health('unhealthy', 'ReplicaFailure', joined(replicaFailure)), rollout);
  }
  if (rollout.complete) return withHealth(status, reason, counts, health('healthy', 'Ready', counts), rollout);
  // Settled but short of ready replicas after a completed rollout: a pod lost readiness. Anything else is still moving.
  const unready = settled && status === 'running' && progressing?.reason === NEW_RS_AVAILABLE;
  if (unready) return withHealth(status, reason, counts, health('unhealthy', 'Unready', counts), rollout);
  const moving = status === 'running' && !settled ? `${updated}/${desired} replicas updated, ${ready} ready` : counts;
  return withHealth(status, reason, counts, health('progressing', status === 'running' ? 'RollingUpdate' : 'Starting', moving), rollout);
}

/** Batch jobs do not update in place: their rollout is complete once their pods run, and healthy while they are ready. */
export function batchJobStatus(object: ManagedObject): DerivedStatus {
  const conditions = conditionsOf(object.status);
  const complete = find(conditions, 'Complete');
  if (complete?.status === 'True') return derived('succeeded', 'Completed', complete.message);
  const failed = find(conditions, 'Failed');
  if (failed?.status === 'True') return derived('failed', pascal(failed.reason, 'JobFailed'), failed.message);
  if (object.spec.suspend === true) return derived('queued', 'Suspended');
  const active = numberOr(object.status.active, 0);
  // `status.ready` (Kubernetes ≥ 1.24) counts ready pods; without it a running pod is taken as ready.
  const ready = numberOr(object.status.ready, active);
  const rollout = (complete: boolean): ObservedRollout => ({
    generation: object.jobGeneration,
    complete,
    replicas: numberOr(object.spec.parallelism, 1),
    readyReplicas: ready,
    updatedReplicas: active,
  });
  if (active > 0) {
    const counts = `${ready}/${active} pods ready`;
    const observed = ready >= active ? health('healthy', 'Ready', counts) : health('progressing', 'PodsNotReady', counts);
    return withHealth('running', 'Active', undefined, observed, rollout(true));
  }
  return withHealth('admitted', 'Starting', undefined, health('progressing', 'Starting'), rollout(false));
}

/**
 * Flux's Ready condition for the release's current generation. While a values update is reconciled (or after one
 * failed) a release that was running stays running: progressing, then healthy or unhealthy.
 */
export function helmReleaseStatus(object: ManagedObject, context: StatusContext = {}): DerivedStatus {
  const conditions = conditionsOf(object.status);
  const ready = find(conditions, 'Ready');
  // A Ready condition from an older generation says nothing about the current spec.
  const current = numberOr(object.status.observedGeneration, 0) >= (object.generation ?? 0);
  const readyNow = ready?.status === 'True' && current;
  const rollout: ObservedRollout = {
    generation: object.jobGeneration,
    complete: readyNow,
    replicas: 1,
    readyReplicas: readyNow ? 1 : 0,
    updatedReplicas: current ? 1 : 0,
  };
  const served = context.wasRunning === true;
  const stalled = find(conditions, 'Stalled');
  const failedReason =
    stalled?.status === 'True'
      ? { reason: pascal(stalled.reason, 'Stalled'), message: stalled.message }
      : ready?.status === 'False' && remediationExhausted(object, ready.reason)
        ? { reason: pascal(ready.reason, 'ReleaseFailed'), message: ready.message }
        : undefined;
  // A failed upgrade (generation > 1) leaves the release of the last good values in place: unhealthy, not failed.
  if (failedReason && !served && object.jobGeneration === 1) return derived('failed', failedReason.reason, failedReason.message);
  if (failedReason) {
    const observed = health('unhealthy', failedReason.reason, failedReason.message);
    return served
      ? withHealth('running', 'Ready', undefined, observed, rollout)
      : withHealth('admitted', 'Reconciling', undefined, observed, rollout);
  }
  if (readyNow) return withHealth('running', 'Ready', ready.message, health('healthy', 'Ready'), rollout);
  if (!served) return withHealth('admitted', 'Reconciling', ready?.message, health('progressing', 'Reconciling', ready?.message), rollout);
  const failing = ready?.status === 'False' && current;
  const observed = failing
    ? health('unhealthy', pascal(ready.reason, 'NotReady'), ready.message)
    : health('progressing', 'Reconciling', ready?.message);
  return withHealth('running', 'Ready', undefined, observed, rollout);
}

/** Flux retries a failed install/upgrade `remediation.retries` times (default 0; negative = forever). */
function remediationExhausted(object: ManagedObject, reason: string | undefined): boolean {
  const phase = reason === 'InstallFailed' ? 'install' : reason === 'UpgradeFailed' ? 'upgrade' : undefined;
  if (!phase) return false;
  const section = object.spec[phase];
  const remediation = isRecord(section) ? section.remediation : undefined;
  const retries = numberOr(isRecord(remediation) ? remediation.retries : undefined, 0);
  if (retries < 0) return false;
  const failures = numberOr(object.status[phase === 'install' ? 'installFailures' : 'upgradeFailures'], 1);
  return failures > retries;
}

function conditionsOf(status: Record<string, unknown>): Condition[] {
  const list = Array.isArray(status.conditions) ? status.conditions : [];
  return list.flatMap((entry): Condition[] => {
    if (!isRecord(entry) || typeof entry.type !== 'string' || typeof entry.status !== 'string') return [];
    return [{ type: entry.type, status: entry.status, reason: stringOr(entry.reason), message: stringOr(entry.message) }];
  });
}

function find(conditions: Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

function derived(status: JobStatus, reason: string, message?: string): DerivedStatus {
  return message ? { status, reason, message: message.slice(0, MAX_MESSAGE) } : { status, reason };
}

function withHealth(
  status: JobStatus,
  reason: string,
  message: string | undefined,
  observed: ObservedHealth,
  rollout: ObservedRollout,
): DerivedStatus {
  return { ...derived(status, reason, message), health: observed, rollout };
}

function health(value: ObservedHealth['health'], reason: string, message?: string): ObservedHealth {
  return message ? { health: value, reason, message: message.slice(0, MAX_MESSAGE) } : { health: value, reason };
}

function joined(condition: Condition): string | undefined {
  const parts = [condition.reason, condition.message].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(': ') : undefined;
}

export function pascal(candidate: string | undefined, fallback: string): string {
  return candidate && PASCAL_CASE.test(candidate) ? candidate : fallback;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
