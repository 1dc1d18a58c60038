import type { ComponentStatus, JobStatus } from '@bud/contracts';
import type { DesiredState } from './deployment-state';
import { componentStatusFromJob } from './deployment-state';

export interface ComponentJobView {
  status: ComponentStatus;
  jobId: string | null;
  jobStatus: JobStatus | null;
  jobVersion: number;
  revision: number;
}

export interface JobEventView {
  jobId: string;
  version: number;
  status: JobStatus;
  /** The deployment run and component revision the job was created for (from the job's source_id). */
  run: number;
  revision: number;
}

/**
 * Folds one job event into a component. Returns null when the event changes nothing: another run's
 * job, another job, or a version already seen (duplicates and out-of-order deliveries are no-ops).
 */
export function foldJobEvent(
  current: ComponentJobView,
  event: JobEventView,
  deployment: { run: number; desired: DesiredState },
): ComponentJobView | null {
  if (!jobBelongs(current, event, deployment)) return null;
  if (event.version <= current.jobVersion) return null;
  return {
    jobId: event.jobId,
    jobStatus: event.status,
    jobVersion: event.version,
    revision: current.revision,
    status: componentStatusFromJob(event.status, deployment.desired, current.status),
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
