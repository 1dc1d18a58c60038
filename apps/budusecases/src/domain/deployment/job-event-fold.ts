import type { ComponentStatus, JobStatus } from '@bud/contracts';
import type { DesiredState } from './deployment-state';
import { componentStatusFromJob } from './deployment-state';

export interface ComponentJobView {
  status: ComponentStatus;
  jobId: string | null;
  jobStatus: JobStatus | null;
  jobVersion: number;
}

export interface JobEventView {
  jobId: string;
  version: number;
  status: JobStatus;
  /** The deployment run the job was created for (from the job's source_id). */
  run: number;
}

/**
 * Folds one job event into a component. Returns null when the event changes nothing: another run's
 * job, another job, or a version already seen (duplicates and out-of-order deliveries are no-ops).
 */
export function foldJobEvent(current: ComponentJobView, event: JobEventView, deployment: { run: number; desired: DesiredState }): ComponentJobView | null {
  if (event.run !== deployment.run) return null;
  if (current.jobId !== null && current.jobId !== event.jobId) return null;
  if (event.version <= current.jobVersion) return null;
  return {
    jobId: event.jobId,
    jobStatus: event.status,
    jobVersion: event.version,
    status: componentStatusFromJob(event.status, deployment.desired, current.status),
  };
}

/** source_id of a use-case job: `<component id>#<run>`. */
export function jobSourceId(componentId: string, run: number): string {
  return `${componentId}#${run}`;
}

export function parseJobSourceId(sourceId: string | null): { componentId: string; run: number } | null {
  const match = /^([a-z0-9-]{1,63})#(\d{1,9})$/.exec(sourceId ?? '');
  return match ? { componentId: match[1], run: Number(match[2]) } : null;
}
