import { JOB_EVENTS_TOPIC, PUBSUB_NAME } from '@bud/contracts';
import type { CloudEvent, JobEventData, JobStatus } from '@bud/contracts';
import type { JobEntity } from '../entities';

export { JOB_EVENTS_TOPIC, PUBSUB_NAME };

/** The CloudEvent of docs/design.md#job-events for a job as it is after a status change. */
export function jobCloudEvent(job: JobEntity, previousStatus: JobStatus | null, occurredAt: Date): CloudEvent<JobEventData> {
  return {
    specversion: '1.0',
    id: `${job.id}:${job.version}`,
    source: 'budcluster',
    type: `bud.job.${job.status}`,
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
    },
  };
}
