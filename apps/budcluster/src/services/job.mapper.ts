import type { JobResponse } from '@bud/contracts';
import type { JobEntity, JobEventEntity } from '../entities';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
/** numeric(18, 6) arrives as a six-place decimal string: passed on as is (no float); anything else is normalised. */
const usd = (value: string | null): string | null =>
  value === null ? null : /^-?\d+\.\d{6}$/.test(value) ? value : Number(value).toFixed(6);

/** docs/design.md#job-health: the health and rollout fields a job answer and a job event both carry. */
export function jobHealthFields(job: JobEntity): Pick<JobResponse, 'health' | 'health_reason' | 'health_message' | 'rollout'> {
  return {
    health: job.health,
    health_reason: job.healthReason,
    health_message: job.healthMessage,
    rollout: {
      generation: job.generation,
      observed_generation: job.observedGeneration,
      replicas: job.rolloutReplicas,
      ready_replicas: job.readyReplicas,
      updated_replicas: job.updatedReplicas,
    },
  };
}

export function toJobResponse(job: JobEntity, events?: JobEventEntity[]): JobResponse {
  return {
    id: job.id,
    name: job.name,
    cluster_id: job.clusterId,
    tenant_id: job.tenantId,
    project_id: job.projectId,
    created_by: job.createdBy,
    job_type: job.jobType,
    deployment_type: job.deploymentType,
    source_type: job.sourceType,
    source_id: job.sourceId,
    usecase_deployment_id: job.usecaseDeploymentId,
    idempotency_key: job.idempotencyKey,
    spec: job.spec,
    resources: job.resources,
    priority_class: job.priorityClass,
    priority: job.priority,
    policy: job.policy,
    labels: job.labels,
    annotations: job.annotations,
    status: job.status,
    status_reason: job.statusReason,
    status_message: job.statusMessage,
    retry_count: job.retryCount,
    k8s_namespace: job.k8sNamespace,
    k8s_resource_kind: job.k8sResourceKind,
    k8s_resource_name: job.k8sResourceName,
    kueue_workload_name: job.kueueWorkloadName,
    queue_position: job.queuePosition ?? null,
    admitted_flavor: job.admittedFlavor ?? null,
    outputs: job.outputs,
    estimated_cost_per_hour: usd(job.estimatedCostPerHour) ?? '0.000000',
    estimated_cost: usd(job.estimatedCost),
    // docs/design.md#metering: the running sum of the job's usage ledger; nothing metered yet is 0.
    actual_cost: usd(job.actualCost) ?? '0.000000',
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    queued_at: iso(job.queuedAt),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    version: job.version,
    ...jobHealthFields(job),
    ...(events
      ? {
          events: events.map((e) => ({
            id: String(e.id),
            from_status: e.fromStatus,
            to_status: e.toStatus,
            reason: e.reason,
            message: e.message,
            occurred_at: e.occurredAt.toISOString(),
          })),
        }
      : {}),
  };
}
