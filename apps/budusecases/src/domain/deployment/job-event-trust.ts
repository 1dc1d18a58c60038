import type { JobEventData, JobResponse } from '@bud/contracts';

/**
 * A version this far past the last one seen is believed only once budcluster confirms it: status
 * changes step by one, but a PATCH of the job or a redelivered older event can leave a gap of one more.
 */
export const UNCONFIRMED_VERSION_STEP = 2;

export interface TrustContext {
  deployment: { id: string; tenantId: string; clusterId: string };
  component: { jobId: string | null; jobVersion: number };
}

/** What the event may change, from the event itself or from budcluster's own answer when that was asked. */
export type JobFacts = Pick<
  JobEventData,
  | 'job_id'
  | 'version'
  | 'status'
  | 'status_reason'
  | 'status_message'
  | 'outputs'
  | 'health'
  | 'health_reason'
  | 'health_message'
  | 'rollout'
>;

export type Screening = { verdict: 'refuse'; reason: string } | { verdict: 'trust' } | { verdict: 'confirm'; because: string };

/**
 * The checks an event of the component's current run must pass before it is folded (issue 16): it is
 * about this tenant and cluster, about the component's recorded job, and not implausibly far ahead.
 * First sight of a job (created but not yet recorded) and a large version jump are confirmed with budcluster.
 */
export function screenJobEvent(event: JobEventData, { deployment, component }: TrustContext): Screening {
  if (event.tenant_id !== deployment.tenantId) return { verdict: 'refuse', reason: "the event's tenant is not the deployment's" };
  if (event.cluster_id !== deployment.clusterId) return { verdict: 'refuse', reason: "the event's cluster is not the deployment's" };
  if (component.jobId === null) return { verdict: 'confirm', because: 'no job is recorded for the component yet' };
  if (event.job_id !== component.jobId) return { verdict: 'refuse', reason: "the event is not about the component's recorded job" };
  if (event.version > component.jobVersion + UNCONFIRMED_VERSION_STEP) return { verdict: 'confirm', because: 'the version jumps ahead' };
  return { verdict: 'trust' };
}

/**
 * budcluster's answer for the event's job, asked with a token for the deployment's tenant (so another
 * tenant's job is not found). Only budusecases creates use-case jobs, so a job that budcluster holds for
 * this deployment and source is ours; its answer, at least as new as the event, is what gets folded.
 */
export function confirmJobEvent(
  event: JobEventData,
  deployment: TrustContext['deployment'],
  job: JobResponse | null,
): { refuse: string } | { facts: JobFacts } {
  if (!job) return { refuse: "budcluster does not know the job in the deployment's tenant and cluster" };
  const ours =
    job.source_type === 'usecase' &&
    job.usecase_deployment_id === deployment.id &&
    job.source_id === event.source_id &&
    job.tenant_id === deployment.tenantId;
  if (!ours) return { refuse: 'budcluster holds that job for another deployment or component' };
  if (event.version > job.version) return { refuse: `the version ${event.version} is ahead of budcluster's ${job.version}` };
  return {
    facts: {
      job_id: job.id,
      version: job.version,
      status: job.status,
      status_reason: job.status_reason,
      status_message: job.status_message,
      outputs: job.outputs,
      health: job.health,
      health_reason: job.health_reason,
      health_message: job.health_message,
      rollout: job.rollout,
    },
  };
}
