import type { ComponentDefinition, DeploymentPlan, GpuInventory, PriceTable } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';

/** Active registry components by id. */
export type Registry = ReadonlyMap<string, ComponentDefinition>;

export interface DeploymentContext {
  id: string;
  name: string;
  namespace: string;
  project_id?: string;
}

export interface ClusterContext {
  id: string;
  name: string;
  type: string;
  ingress_url: string | null;
  price_table: PriceTable;
  gpu_inventory: GpuInventory;
  /** GPUs not held by any running or admitted job, per type. */
  gpu_free: GpuInventory;
  /** GPU type for components that ask for GPUs without naming one; else the most plentiful type. */
  default_gpu_type?: string;
}

export interface ResolveContext {
  deployment: DeploymentContext;
  cluster: ClusterContext;
}

/** Fields of `cluster.<field>` a template may read. */
export const CLUSTER_FIELDS: ReadonlySet<string> = new Set(['id', 'name', 'type', 'ingress_url', 'default_gpu_type']);
export const DEPLOYMENT_FIELDS: ReadonlySet<string> = new Set(['id', 'name', 'namespace']);
/** Fields of budcluster's job outputs that a component's `outputs` templates may read. */
export const JOB_OUTPUT_FIELDS: ReadonlySet<string> = new Set(['url', 'host', 'port', 'service', 'namespace']);

export type Result<T> = { ok: true; value: T } | { ok: false; errors: ErrorDetail[] };
export type ResolveResult = { ok: true; plan: DeploymentPlan } | { ok: false; errors: ErrorDetail[] };
