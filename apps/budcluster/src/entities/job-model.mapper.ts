import type { JobModel } from '../domain/job-model';
import type { JobEntity } from './job.entity';

/** A job row as the drivers and the status machine see it; kept below both drivers and services, which each need it. */
export function toJobModel(job: JobEntity): JobModel {
  return {
    id: job.id,
    name: job.name,
    clusterId: job.clusterId,
    tenantId: job.tenantId,
    projectId: job.projectId,
    jobType: job.jobType,
    sourceType: job.sourceType,
    usecaseDeploymentId: job.usecaseDeploymentId,
    spec: job.spec,
    resources: job.resources,
    policy: job.policy,
    priorityClass: job.priorityClass,
    labels: job.labels,
    annotations: job.annotations,
    namespace: job.k8sNamespace,
    resourceName: job.k8sResourceName ?? job.name,
    status: job.status,
    secretEnvSealed: job.secretEnvSealed,
    generation: job.generation,
    queuedAt: job.queuedAt?.getTime() ?? null,
  };
}
