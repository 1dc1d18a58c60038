import type { ResolveContext } from '../domain/resolver';
import type { JobStatus } from '@bud/contracts';
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
