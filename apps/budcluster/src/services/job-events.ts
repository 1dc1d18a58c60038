import { JOB_EVENTS_TOPIC, PUBSUB_NAME } from '@bud/contracts';
import type { CloudEvent, JobEventData, JobStatus } from '@bud/contracts';
import type { JobEntity } from '../entities';
import { jobHealthFields } from './job.mapper';

export { JOB_EVENTS_TOPIC, PUBSUB_NAME };

/** What changed: the status (`bud.job.<status>`), only the health, or only the generation/rollout. */
export type JobEventKind = 'status' | 'health' | 'rollout';

/**
 * The CloudEvent of docs/design.md#job-events for a job as it is after a change; the data always carries the full
 * current health and rollout (docs/design.md#job-health).
 */
export function jobCloudEvent(
  job: JobEntity,
  previousStatus: JobStatus | null,
  occurredAt: Date,
  kind: JobEventKind = 'status',
): CloudEvent<JobEventData> {
  return {
    specversion: '1.0',
    id: `${job.id}:${job.version}`,
    source: 'budcluster',
    type: kind === 'status' ? `bud.job.${job.status}` : `bud.job.${kind}`,
    time: occurredAt.toISOString(),
    datacontenttype: 'application/json',
    data: {
      job_id: job.id,
      tenant_id: job.tenantId,
      cluster_id: job.clusterId,
      source_type: job.sourceType,
      source_id: job.sourceId,
      usecase_deployment_id: job.usecaseDeploymentId,
      status: job.status,
      previous_status: previousStatus,
      status_reason: job.statusReason,
      status_message: job.statusMessage,
      outputs: job.outputs,
      version: job.version,
      occurred_at: occurredAt.toISOString(),
      ...jobHealthFields(job),
    },
  };
}
