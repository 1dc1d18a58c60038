import type { JobOutputs, JobPolicy, JobResources, JobSpec, JobStatus, JobType, PriorityClass, SourceType } from '@bud/contracts';

/** What the pure domain functions (renderers, cost, drivers) need of a job: a plain value, no ORM. */
export interface JobModel {
  id: string;
  name: string;
  clusterId: string;
  tenantId: string;
  jobType: JobType;
  sourceType: SourceType;
  usecaseDeploymentId: string | null;
  spec: JobSpec;
  resources: JobResources;
  policy: JobPolicy;
  priorityClass: PriorityClass;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  namespace: string;
  status: JobStatus;
  /** The sealed `secret_env`; drivers that place workloads open it with the platform's key. */
  secretEnvSealed: string | null;
}

/** A status a driver observed for a job; the lifecycle service decides whether it is a legal move. */
export interface ObservedStatus {
  jobId: string;
  status: JobStatus;
  reason: string;
  message?: string;
  outputs?: JobOutputs;
}
