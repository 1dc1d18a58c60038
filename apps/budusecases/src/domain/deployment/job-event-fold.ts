import type { ComponentStatus, JobHealth, JobStatus } from '@bud/contracts';
import { terminalJobStatuses } from '@bud/contracts';
import type { DesiredState } from './deployment-state';
import { componentStatusFromJob } from './deployment-state';

export interface ComponentJobView {
  status: ComponentStatus;
  jobId: string | null;
  jobStatus: JobStatus | null;
  jobVersion: number;
  revision: number;
  /** The job generation last asked for; an `updating` component runs again once the cluster has rolled it out. */
  generation?: number | null;
  removed?: boolean;
  health?: JobHealth | null;
  healthMessage?: string | null;
  unhealthySince?: Date | null;
}

export interface JobEventView {
  jobId: string;
  version: number;
  status: JobStatus;
  /** The deployment run and component revision the job was created for (from the job's source_id). */
  run: number;
  revision: number;
  health?: JobHealth;
  healthReason?: string | null;
  healthMessage?: string | null;
  rollout?: { generation: number; observed_generation: number };
}

/**
 * Folds one job event into a component. Returns null when the event changes nothing: another run's
 * job, another job, or a version already seen (duplicates and out-of-order deliveries are no-ops).
 */
export function foldJobEvent(
  current: ComponentJobView,
  event: JobEventView,
  deployment: { run: number; desired: DesiredState; now?: Date },
): ComponentJobView | null {
  if (!jobBelongs(current, event, deployment)) return null;
  if (event.version <= current.jobVersion) return null;
  return {
    jobId: event.jobId,
    jobStatus: event.status,
    jobVersion: event.version,
    revision: current.revision,
    status: foldedStatus(current, event, deployment.desired),
    ...foldedHealth(current, event, deployment.now),
  };
}

/** The component status an event implies (docs/design.md#deployment-update). */
function foldedStatus(current: ComponentJobView, event: JobEventView, desired: DesiredState): ComponentStatus {
  // A dropped component only waits for its job to end; it never fails or revives the deployment.
  if (current.removed && desired === 'running') return terminalJobStatuses.includes(event.status) ? 'stopped' : current.status;
  const status = componentStatusFromJob(event.status, desired, current.status);
  if (status !== 'running' || current.status !== 'updating' || !event.rollout) return status;
  // In place: running again once the cluster rolled out the generation asked for, or rolled back from it.
  const rolledOut = event.rollout.observed_generation >= (current.generation ?? 0);
  return rolledOut || event.healthReason === 'RolledBack' ? 'running' : 'updating';
}

/** Health as the job reports it; unhealthy_since is the first unhealthy observation since the last healthy one. */
function foldedHealth(
  current: ComponentJobView,
  event: JobEventView,
  now: Date | undefined,
): Pick<ComponentJobView, 'health' | 'healthMessage' | 'unhealthySince'> {
  if (!event.health) return {};
  const unhealthy = event.health === 'unhealthy';
  return {
    health: event.health,
    healthMessage: event.health === 'healthy' ? null : (event.healthMessage ?? event.healthReason ?? null),
    unhealthySince: unhealthy ? (current.unhealthySince ?? now ?? null) : null,
  };
}

/**
 * True when the job is, or may become, the component's job: made for this run and revision, and no other job
 * recorded. Any other job of the deployment is a stray that nothing will ever cancel unless its finder does.
 */
export function jobBelongs(
  current: Pick<ComponentJobView, 'jobId' | 'revision'>,
  job: Pick<JobEventView, 'jobId' | 'run' | 'revision'>,
  deployment: { run: number },
): boolean {
  return job.run === deployment.run && job.revision === current.revision && (current.jobId === null || current.jobId === job.jobId);
}

/** source_id of a use-case job: `<component id>#<run>`, plus `.<revision>` once an update replaced it. */
export function jobSourceId(componentId: string, run: number, revision = 0): string {
  return revision > 0 ? `${componentId}#${run}.${revision}` : `${componentId}#${run}`;
}

export function parseJobSourceId(sourceId: string | null): { componentId: string; run: number; revision: number } | null {
  const match = /^([a-z0-9-]{1,63})#(\d{1,9})(?:\.(\d{1,9}))?$/.exec(sourceId ?? '');
  return match ? { componentId: match[1], run: Number(match[2]), revision: Number(match[3] ?? 0) } : null;
}
