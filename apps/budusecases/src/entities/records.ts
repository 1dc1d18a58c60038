import type { ResolveContext } from '../domain/resolver';
import type { JobHealth, JobStatus } from '@bud/contracts';
import type { ComponentOverrides } from '../domain/deployment/component-overrides';
import type {
  ComponentDefinition,
  ComponentStatus,
  DeploymentPlan,
  DeploymentStatus,
  FailurePolicy,
  JobOutputs,
  PlannedComponent,
  TemplateDocument,
} from '@bud/contracts';

// Rows as the repositories return them (camelCase of the migration's columns). Entities never leave
// the service: controllers answer with the mappers' wire types.

export interface ComponentRecord {
  id: string;
  definition: ComponentDefinition;
  name: string;
  category: string;
  deploymentType: string;
  tags: string[];
  version: string;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
  revision: number;
}

export interface TemplateRecord {
  rowId: string;
  id: string;
  tenantId: string | null;
  isSystem: boolean;
  document: TemplateDocument;
  name: string;
  category: string;
  version: string;
  tags: string[];
  sourceFile: string | null;
  contentHash: string;
  forkedFrom: string | null;
  createdBy: string | null;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
  revision: number;
}

export type DesiredState = 'running' | 'stopped' | 'deleted';

export interface DeploymentRecord {
  id: string;
  tenantId: string;
  projectId: string | null;
  createdBy: string;
  name: string;
  templateId: string;
  templateVersion: string;
  templateDocument: TemplateDocument;
  clusterId: string;
  namespace: string;
  parameters: Record<string, unknown>;
  secretParameters: Record<string, unknown>;
  plan: DeploymentPlan;
  /** The deployment and cluster fields templates read, kept so jobs render the same at every step. */
  resolveContext: ResolveContext;
  status: DeploymentStatus;
  statusMessage: string | null;
  desiredState: DesiredState;
  onFailure: FailurePolicy;
  run: number;
  /** Resource overrides per component id that scales stored; applied over every (re)plan. */
  componentOverrides: ComponentOverrides;
  /** Sealed random key of the job digests (applied_job_hash); null for deployments made before it existed. */
  jobHashKey: string | null;
  /** Set by a delete with keep_data=true: its jobs' volumes are retained (docs/design.md#volumes). */
  keepData: boolean;
  estimatedCostPerHour: string;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface DeploymentComponentRecord {
  deploymentId: string;
  id: string;
  componentRef: string;
  status: ComponentStatus;
  wave: number;
  dependsOn: string[];
  planned: PlannedComponent;
  /** The registry entry as it was at deploy time: its `outputs` templates turn job outputs into ours. */
  definition: ComponentDefinition;
  jobId: string | null;
  jobStatus: JobStatus | null;
  jobVersion: number;
  jobOutputs: JobOutputs;
  /** Bumped when an update changes this component's job: the old job is replaced, events of it ignored. */
  revision: number;
  outputs: Record<string, unknown>;
  message: string | null;
  /** The job's health as its events last said (null before a job). */
  health: JobHealth | null;
  healthMessage: string | null;
  /** First unhealthy observation since the component was last healthy. */
  unhealthySince: Date | null;
  /** The job generation we last asked for (create: 1, each in-place update: budcluster's answer). */
  generation: number | null;
  /** sha256 of the canonical {spec, resources} last sent to budcluster for this job. */
  appliedJobHash: string | null;
  replicas: number | null;
  /** Dropped by an update: its job is cancelled and deleted, then the component is skipped. */
  removed: boolean;
  updatedAt: Date;
}

export interface DeploymentEventRecord {
  id: string;
  deploymentId: string;
  type: string;
  componentId: string | null;
  status: string | null;
  message: string | null;
  occurredAt: Date;
}
