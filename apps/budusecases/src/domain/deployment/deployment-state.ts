import { activeJobStatuses, terminalJobStatuses } from '@bud/contracts';
import type { ComponentStatus, DeploymentDesiredState, DeploymentStatus, FailurePolicy, JobHealth, JobStatus } from '@bud/contracts';

export type DesiredState = DeploymentDesiredState;

/** What the reconciler knows of one component when it plans. */
export interface ComponentState {
  id: string;
  status: ComponentStatus;
  dependsOn: readonly string[];
  jobId: string | null;
  jobStatus: JobStatus | null;
  /** Dropped by an update: its job goes (dependents first), then it is skipped. */
  removed?: boolean;
  /** The job it should run now differs from the one last sent (docs/design.md#in-place-update). */
  updateDue?: boolean;
  health?: JobHealth | null;
  healthMessage?: string | null;
  /** ms since the epoch of the first unhealthy observation, null while healthy. */
  unhealthySince?: number | null;
}

export interface DeploymentState {
  desired: DesiredState;
  status: DeploymentStatus;
  onFailure: FailurePolicy;
  components: readonly ComponentState[];
  /** The injected clock's now (ms) and how long a component may be unhealthy before the deployment is degraded. */
  now?: number;
  degradedGraceMs?: number;
}

export type Action =
  | { kind: 'create_job'; componentId: string }
  | { kind: 'update_job'; componentId: string }
  | { kind: 'remove_component'; componentId: string }
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

/** Components the deployment runs: not skipped by a condition, not dropped by an update. */
export const liveComponents = (state: Pick<DeploymentState, 'components'>): ComponentState[] =>
  state.components.filter((c) => c.status !== 'skipped' && !c.removed);

const wasUp = (status: DeploymentStatus) => status === 'running' || status === 'updating' || status === 'degraded';

/** Components of a running deployment unhealthy for longer than the grace period, oldest first. */
export function unhealthyPastGrace(state: DeploymentState): ComponentState[] {
  if (state.now === undefined) return [];
  const grace = state.degradedGraceMs ?? 0;
  return liveComponents(state)
    .filter((c) => c.status === 'running' && c.health === 'unhealthy' && c.unhealthySince != null && c.unhealthySince + grace <= state.now!)
    .sort((a, b) => a.unhealthySince! - b.unhealthySince!);
}

/** When the grace period of a component unhealthy now runs out (ms), if one does later: the reconciler wakes then. */
export function nextHealthDeadline(state: DeploymentState): number | null {
  if (state.desired !== 'running' || state.now === undefined) return null;
  const grace = state.degradedGraceMs ?? 0;
  const deadlines = liveComponents(state)
    .filter((c) => c.health === 'unhealthy' && c.unhealthySince != null && c.unhealthySince + grace > state.now!)
    .map((c) => c.unhealthySince! + grace);
  return deadlines.length > 0 ? Math.min(...deadlines) : null;
}

/**
 * Worst-of over the components (docs/design.md#deployment-status-machine). While it wants to run, an update under
 * way (a component updating, added, dropped or due an in-place update) is `updating`; a component unhealthy past
 * the grace period, or one that lost its job, is `degraded` (docs/design.md#deployment-update).
 */
export function aggregateStatus(state: DeploymentState): DeploymentStatus {
  const live = liveComponents(state);
  if (state.desired === 'deleted') return 'deleting';
  if (state.desired === 'stopped')
    return state.components.filter((c) => c.status !== 'skipped').some(hasActiveJob) ? 'stopping' : 'stopped';
  if (live.some((c) => c.status === 'failed')) return 'failed';
  const changing =
    live.some((c) => c.status === 'updating' || c.updateDue) || state.components.some((c) => c.removed && c.status !== 'skipped');
  if (live.every((c) => c.status === 'running')) {
    if (changing) return 'updating';
    return unhealthyPastGrace(state).length > 0 ? 'degraded' : 'running';
  }
  if (live.some((c) => c.status === 'pending')) return wasUp(state.status) ? 'updating' : 'deploying';
  if (changing || state.status === 'updating') return 'updating';
  if ((state.status === 'running' || state.status === 'degraded') && live.every((c) => c.jobId !== null)) return 'degraded';
  return 'deploying';
}

/** What the deployment's status message says: for `degraded`, which component and why. */
export function deploymentStatusMessage(state: DeploymentState, status: DeploymentStatus): string | null {
  if (status !== 'degraded') return null;
  const unhealthy = unhealthyPastGrace(state)[0];
  if (unhealthy) return `${unhealthy.id} is unhealthy: ${unhealthy.healthMessage ?? 'not ready'}`;
  const lost = liveComponents(state).find((c) => c.status !== 'running');
  return lost ? `${lost.id} is ${lost.status}` : null;
}

/** The side effects that move the deployment towards what it wants; the reconciler performs them. */
export function planActions(state: DeploymentState): Action[] {
  const live = liveComponents(state);
  const failed = live.some((c) => c.status === 'failed');
  const tearingDown = state.desired !== 'running' || (failed && state.onFailure === 'rollback');
  if (!tearingDown) {
    if (failed) return [];
    const creates = live
      .filter((c) => (c.status === 'pending' || (c.status === 'deploying' && c.jobId === null)) && blockedBy(c, live).length === 0)
      .map((c): Action => ({ kind: 'create_job', componentId: c.id }));
    return [...creates, ...inPlaceUpdates(live), ...removals(state)];
  }
  const actions: Action[] = [];
  const withSkipped = state.components.filter((c) => c.status !== 'skipped');
  for (const c of withSkipped) {
    if (hasActiveJob(c)) {
      // Level-triggered on the job's last known status: a cancel is asked for until budcluster answers
      // it terminal. Dependents first: a component is cancelled only when nothing that depends on it still runs.
      const dependents = withSkipped.filter((other) => other.dependsOn.includes(c.id));
      if (dependents.every((d) => !hasActiveJob(d))) actions.push({ kind: 'cancel_job', componentId: c.id });
      continue;
    }
    // Without a live job a component is stopped (a failed one keeps saying why); a delete removes it whatever it says.
    if (state.desired === 'stopped' && c.status !== 'stopped' && c.status !== 'failed')
      actions.push({ kind: 'mark_stopped', componentId: c.id });
  }
  if (state.desired === 'deleted' && !withSkipped.some(hasActiveJob)) {
    const withJobs = withSkipped.filter((c) => c.jobId !== null);
    for (const c of withJobs) actions.push({ kind: 'delete_job', componentId: c.id });
    if (withJobs.length === 0) actions.push({ kind: 'delete_record' });
  }
  return actions;
}

/**
 * docs/design.md#in-place-update: a running component whose job should change is patched once none of its
 * dependencies is still changing, so a dependent whose env reads a changed output restarts after it, and only then.
 */
function inPlaceUpdates(live: readonly ComponentState[]): Action[] {
  const byId = new Map(live.map((c) => [c.id, c]));
  const settled = (id: string) => {
    const dep = byId.get(id);
    return dep !== undefined && dep.status === 'running' && !dep.updateDue;
  };
  return live
    .filter((c) => c.updateDue && hasActiveJob(c) && (c.status === 'running' || c.status === 'updating'))
    .filter((c) => c.dependsOn.every(settled))
    .map((c) => ({ kind: 'update_job', componentId: c.id }));
}

/** Components an update dropped: their jobs cancelled dependents first, then each is removed. */
function removals(state: DeploymentState): Action[] {
  const dropped = state.components.filter((c) => c.removed && c.status !== 'skipped');
  return dropped.flatMap((c): Action[] => {
    if (!hasActiveJob(c)) return [{ kind: 'remove_component', componentId: c.id }];
    const dependents = dropped.filter((other) => other.dependsOn.includes(c.id));
    return dependents.every((d) => !hasActiveJob(d)) ? [{ kind: 'cancel_job', componentId: c.id }] : [];
  });
}
