import type { JobStatus } from '@bud/contracts';
import { isRecord, type ManagedObject } from './managed-object';

/** What one primary object says about its job; `reason` is PascalCase. */
export interface DerivedStatus {
  status: JobStatus;
  reason: string;
  message?: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const MAX_MESSAGE = 1000;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]{0,99}$/;

/** Status of the job from its primary object; null for kinds that carry no status (Service, PVC, sources). */
export function statusFromObject(object: ManagedObject): DerivedStatus | null {
  switch (object.kind.kind) {
    case 'Deployment':
      return deploymentStatus(object);
    case 'Job':
      return batchJobStatus(object);
    case 'HelmRelease':
      return helmReleaseStatus(object);
    default:
      return null;
  }
}

export function deploymentStatus(object: ManagedObject): DerivedStatus {
  const conditions = conditionsOf(object.status);
  const progressing = find(conditions, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return derived('failed', 'ProgressDeadlineExceeded', progressing.message);
  }
  const replicaFailure = find(conditions, 'ReplicaFailure');
  if (replicaFailure?.status === 'True') return derived('failed', 'ReplicaFailure', joined(replicaFailure));
  const desired = numberOr(object.spec.replicas, 1);
  const ready = numberOr(object.status.readyReplicas, 0);
  const current = numberOr(object.status.observedGeneration, 0) >= (object.generation ?? 0);
  if (find(conditions, 'Available')?.status === 'True' && ready === desired && current) {
    return derived('running', 'Available', `${ready}/${desired} replicas ready`);
  }
  return derived('admitted', 'Progressing', `${ready}/${desired} replicas ready`);
}

export function batchJobStatus(object: ManagedObject): DerivedStatus {
  const conditions = conditionsOf(object.status);
  const complete = find(conditions, 'Complete');
  if (complete?.status === 'True') return derived('succeeded', 'Completed', complete.message);
  const failed = find(conditions, 'Failed');
  if (failed?.status === 'True') return derived('failed', pascal(failed.reason, 'JobFailed'), failed.message);
  if (object.spec.suspend === true) return derived('queued', 'Suspended');
  if (numberOr(object.status.active, 0) > 0) return derived('running', 'Active');
  return derived('admitted', 'Starting');
}

export function helmReleaseStatus(object: ManagedObject): DerivedStatus {
  const conditions = conditionsOf(object.status);
  const stalled = find(conditions, 'Stalled');
  if (stalled?.status === 'True') return derived('failed', pascal(stalled.reason, 'Stalled'), stalled.message);
  const ready = find(conditions, 'Ready');
  // A Ready condition from an older generation says nothing about the current spec.
  const current = numberOr(object.status.observedGeneration, 0) >= (object.generation ?? 0);
  if (ready?.status === 'True' && current) return derived('running', 'Ready', ready.message);
  if (ready?.status === 'False' && remediationExhausted(object, ready.reason)) {
    return derived('failed', pascal(ready.reason, 'ReleaseFailed'), ready.message);
  }
  return derived('admitted', 'Reconciling', ready?.message);
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
