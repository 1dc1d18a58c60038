import type { Principal } from '@bud/auth';
import { priorityValues } from '@bud/contracts';
import type { CreateJobRequest, JobSpec } from '@bud/contracts';
import { jobResourceName } from '../domain/object-names';
import type { ClusterEntity, JobEntity } from '../entities';

export interface NewJobInput {
  id: string;
  principal: Principal;
  cluster: ClusterEntity;
  request: CreateJobRequest;
  namespace: string;
  costs: { estimatedCostPerHour: string; estimatedCost: string | null };
  /** The request's spec with its secret env sealed away, and the sealed values. */
  spec: JobSpec;
  sealed: string | null;
  now: Date;
}

/** A new job row as the request asks for it: pending, generation 1, nothing observed yet. */
export function newJobEntity({ id, principal, cluster, request, namespace, costs, spec, sealed, now }: NewJobInput): JobEntity {
  return {
    id,
    name: request.name,
    clusterId: cluster.id,
    tenantId: principal.tenantId,
    projectId: request.project_id ?? null,
    createdBy: principal.userId,
    jobType: request.job_type,
    deploymentType: request.deployment_type ?? (request.spec.kind === 'container' ? 'docker' : request.spec.kind),
    sourceType: request.source_type,
    sourceId: request.source_id ?? null,
    usecaseDeploymentId: request.usecase_deployment_id ?? null,
    idempotencyKey: request.idempotency_key ?? null,
    spec,
    resources: request.resources,
    priorityClass: request.priority_class,
    priority: priorityValues[request.priority_class],
    policy: request.policy,
    labels: request.labels,
    annotations: request.annotations,
    status: 'pending',
    statusReason: 'Created',
    statusMessage: null,
    retryCount: 0,
    k8sNamespace: namespace,
    k8sResourceKind: request.spec.kind === 'helm' ? 'HelmRelease' : request.job_type === 'service' ? 'Deployment' : 'Job',
    k8sResourceName: jobResourceName(id, request.name, request.spec),
    kueueWorkloadName: null,
    queuePosition: null,
    admittedFlavor: null,
    outputs: {},
    ...costs,
    actualCost: null,
    createdAt: now,
    updatedAt: now,
    queuedAt: null,
    startedAt: null,
    completedAt: null,
    version: 1,
    secretEnvSealed: sealed,
    health: 'unknown',
    healthReason: null,
    healthMessage: null,
    generation: 1,
    observedGeneration: 0,
    rolloutReplicas: 0,
    readyReplicas: 0,
    updatedReplicas: 0,
    rolloutStartedAt: null,
    lastGoodGeneration: null,
    lastGoodSpec: null,
    lastGoodResources: null,
    lastGoodSecretEnvSealed: null,
  };
}
