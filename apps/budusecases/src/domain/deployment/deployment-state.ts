import { activeJobStatuses, terminalJobStatuses } from '@bud/contracts';
import type { ComponentStatus, DeploymentDesiredState, DeploymentStatus, FailurePolicy, JobStatus } from '@bud/contracts';

export type DesiredState = DeploymentDesiredState;

/** What the reconciler knows of one component when it plans. */
export interface ComponentState {
  id: string;
  status: ComponentStatus;
  dependsOn: readonly string[];
  jobId: string | null;
  jobStatus: JobStatus | null;
}

export interface DeploymentState {
  desired: DesiredState;
  status: DeploymentStatus;
  onFailure: FailurePolicy;
  components: readonly ComponentState[];
}

export type Action =
  | { kind: 'create_job'; componentId: string }
  | { kind: 'replace_job'; componentId: string }
  | { kind: 'cancel_job'; componentId: string }
  | { kind: 'delete_job'; componentId: string }
  | { kind: 'mark_stopped'; componentId: string }
  | { kind: 'delete_record' };

/** As far as we last heard: the job's own status, not the component's, which a job event may already have moved to `stopping`. */
export function hasActiveJob(c: ComponentState): boolean {
  return c.jobId !== null && (c.jobStatus === null || activeJobStatuses.includes(c.jobStatus));
}

/**
 * A component's status from its job's, given what the deployment wants. While stopping, a job event
 * can only move a component towards stopped: a late `running` never revives a stopped deployment.
 */
export function componentStatusFromJob(job: JobStatus, desired: DesiredState, current: ComponentStatus): ComponentStatus {
  if (desired !== 'running') {
    if (terminalJobStatuses.includes(job)) return desired === 'deleted' ? 'deleting' : 'stopped';
    return current === 'pending' ? 'pending' : desired === 'deleted' ? 'deleting' : 'stopping';
  }
  switch (job) {
    case 'pending':
    case 'queued':
    case 'admitted':
    case 'preempted':
      return 'deploying';
    case 'running':
      return 'running';
    case 'failed':
    case 'cancelled':
      return 'failed';
    case 'succeeded':
      return 'stopped';
    default: {
      const unreachable: never = job;
      throw new Error(`unknown job status ${String(unreachable)}`);
    }
  }
}

/** Dependencies of a pending component that are not running yet. */
export function blockedBy(component: ComponentState, all: readonly ComponentState[]): string[] {
  const byId = new Map(all.map((c) => [c.id, c]));
  return component.dependsOn.filter((dep) => byId.get(dep)?.status !== 'running');
}

/** Worst-of over the components (docs/design.md#deployment-status-machine). */
export function aggregateStatus(state: DeploymentState): DeploymentStatus {
  const live = state.components.filter((c) => c.status !== 'skipped');
  if (state.desired === 'deleted') return 'deleting';
  if (state.desired === 'stopped') return live.some(hasActiveJob) ? 'stopping' : 'stopped';
  if (live.some((c) => c.status === 'failed')) return 'failed';
  if (live.every((c) => c.status === 'running')) return 'running';
  if (live.some((c) => c.status === 'pending')) return 'deploying';
  if ((state.status === 'running' || state.status === 'degraded') && live.every((c) => c.jobId !== null)) return 'degraded';
  return 'deploying';
}

/** The side effects that move the deployment towards what it wants; the reconciler performs them. */
export function planActions(state: DeploymentState): Action[] {
  const live = state.components.filter((c) => c.status !== 'skipped');
  const failed = live.some((c) => c.status === 'failed');
  const tearingDown = state.desired !== 'running' || (failed && state.onFailure === 'rollback');
  if (!tearingDown) {
    if (failed) return [];
    // A pending component that still has a job is being updated: its old job goes first.
    return live
      .filter((c) => (c.status === 'pending' || (c.status === 'deploying' && c.jobId === null)) && blockedBy(c, live).length === 0)
      .map((c) => ({ kind: c.jobId !== null && c.status === 'pending' ? 'replace_job' : 'create_job', componentId: c.id }));
  }
  const actions: Action[] = [];
  for (const c of live) {
    if (hasActiveJob(c)) {
      // Level-triggered on the job's last known status: a cancel is asked for until budcluster answers
      // it terminal. Dependents first: a component is cancelled only when nothing that depends on it still runs.
      const dependents = live.filter((other) => other.dependsOn.includes(c.id));
      if (dependents.every((d) => !hasActiveJob(d))) actions.push({ kind: 'cancel_job', componentId: c.id });
      continue;
    }
    // Without a live job a component is stopped (a failed one keeps saying why); a delete removes it whatever it says.
    if (state.desired === 'stopped' && c.status !== 'stopped' && c.status !== 'failed')
      actions.push({ kind: 'mark_stopped', componentId: c.id });
  }
  if (state.desired === 'deleted' && !live.some(hasActiveJob)) {
    const withJobs = live.filter((c) => c.jobId !== null);
    for (const c of withJobs) actions.push({ kind: 'delete_job', componentId: c.id });
    if (withJobs.length === 0) actions.push({ kind: 'delete_record' });
  }
  return actions;
}
