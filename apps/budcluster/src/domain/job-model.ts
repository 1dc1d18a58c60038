import type {
  JobHealth,
  JobOutputs,
  JobPolicy,
  JobResources,
  JobSpec,
  JobStatus,
  JobType,
  PriorityClass,
  SourceType,
} from '@bud/contracts';

/** What the pure domain functions (renderers, cost, drivers) need of a job: a plain value, no ORM. */
export interface JobModel {
  id: string;
  name: string;
  clusterId: string;
  tenantId: string;
  projectId: string | null;
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
  /**
   * The base name of the job's objects (docs/design.md#namespaces): derived from its identity, so two jobs never
   * share an object. Jobs created before that carry their plain name.
   */
  resourceName: string;
  status: JobStatus;
  /** The sealed `secret_env`; drivers that place workloads open it with the platform's key. */
  secretEnvSealed: string | null;
  /** When the job last entered its queue (epoch ms), as recorded; a restarted driver queues it from then, not now. */
  queuedAt?: number | null;
  /** Counts spec/resources changes (1 at create); drivers stamp it on the objects they apply (docs/design.md#in-place-update). */
  generation: number;
}

/** A claim budcluster keeps for a job beyond the job's life (docs/design.md#volumes). */
export interface VolumeModel {
  id: string;
  clusterId: string;
  tenantId: string;
  namespace: string;
  claimName: string;
}

/** How the cluster has rolled out a job generation. */
export interface ObservedRollout {
  /** The job generation the objects carry. */
  generation: number;
  /** The cluster has rolled that generation out completely. */
  complete: boolean;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
}

export interface ObservedHealth {
  health: JobHealth;
  reason: string;
  message?: string;
}

/** A status a driver observed for a job; the lifecycle service decides whether it is a legal move. */
export interface ObservedStatus {
  jobId: string;
  status: JobStatus;
  reason: string;
  message?: string;
  outputs?: JobOutputs;
  health?: ObservedHealth;
  rollout?: ObservedRollout;
  /** 1-based position in the tenant's queue while queued; null once out of the queue; undefined: not reported. */
  queuePosition?: number | null;
  /** The ResourceFlavor the job was admitted on (docs/design.md#quotas); undefined: not reported. */
  admittedFlavor?: string | null;
  /** Kueue's Workload name (simulated: `job-<resourceName>-<5 hex>`); undefined: not reported. */
  workloadName?: string | null;
}
