import { z } from 'zod';
import { isoTimestampSchema, slugSchema, uuidSchema } from './common';
import { jobOutputsSchema, resourceFields } from './job';
import { jobHealths } from './job-health';
import { deploymentPlanSchema } from './template';
import { keysetPaginationQuerySchema } from './pagination';

export const deploymentStatuses = [
  'pending',
  'deploying',
  'running',
  'updating',
  'degraded',
  'failed',
  'stopping',
  'stopped',
  'deleting',
] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];
export const componentStatuses = [
  'pending',
  'deploying',
  'running',
  'updating',
  'failed',
  'skipped',
  'stopping',
  'stopped',
  'deleting',
] as const;
export type ComponentStatus = (typeof componentStatuses)[number];
export const failurePolicies = ['stop', 'rollback'] as const;
export type FailurePolicy = (typeof failurePolicies)[number];

export const createDeploymentRequestSchema = z
  .object({
    template_id: slugSchema,
    name: z
      .string()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label of at most 40 lowercase letters, digits and dashes'),
    cluster_id: uuidSchema,
    project_id: uuidSchema.optional(),
    parameters: z.record(z.string(), z.unknown()).default({}),
    on_failure: z.enum(failurePolicies).default('stop'),
  })
  .strict();
export type CreateDeploymentRequest = z.infer<typeof createDeploymentRequestSchema>;
export const createDeploymentQuerySchema = z.object({ dry_run: z.enum(['true', 'false']).optional() }).strict();
export type CreateDeploymentQuery = z.infer<typeof createDeploymentQuerySchema>;

export const deploymentComponentResponseSchema = z.object({
  id: z.string(),
  component_ref: z.string(),
  status: z.enum(componentStatuses),
  blocked_by: z.array(z.string()),
  depends_on: z.array(z.string()),
  wave: z.number().int(),
  job_id: uuidSchema.nullable(),
  job_status: z.string().nullable(),
  outputs: z.record(z.string(), z.unknown()),
  job_outputs: jobOutputsSchema,
  message: z.string().nullable(),
  health: z.enum(jobHealths).nullable().describe('the job health; null before the component has a job'),
  health_message: z.string().nullable().describe('why the component is not healthy'),
  unhealthy_since: isoTimestampSchema.nullable(),
  replicas: z.number().int().nullable(),
  generation: z.number().int().nullable().describe('the job generation the component has applied'),
  estimated_cost_per_hour: z.string(),
  updated_at: isoTimestampSchema,
});
export type DeploymentComponentResponse = z.infer<typeof deploymentComponentResponseSchema>;

export const deploymentResponseSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  tenant_id: uuidSchema,
  project_id: uuidSchema.nullable(),
  created_by: uuidSchema,
  template_id: z.string(),
  template_version: z.string(),
  upgrade_available: z.string().nullable().describe('a newer version of the template, when one is active'),
  cluster_id: uuidSchema,
  namespace: z.string(),
  parameters: z.record(z.string(), z.unknown()).describe('secrets are masked'),
  status: z.enum(deploymentStatuses),
  status_message: z.string().nullable(),
  on_failure: z.enum(failurePolicies),
  run: z.number().int().describe('1 for the first start, +1 for each start after a stop or failure'),
  estimated_cost_per_hour: z.string(),
  created_at: isoTimestampSchema,
  updated_at: isoTimestampSchema,
  version: z.number().int(),
  components: z.array(deploymentComponentResponseSchema).optional(),
});
export type DeploymentResponse = z.infer<typeof deploymentResponseSchema>;

export const deploymentListQuerySchema = keysetPaginationQuerySchema
  .extend({
    status: z.enum(deploymentStatuses).optional(),
    cluster_id: uuidSchema.optional(),
    project_id: uuidSchema.optional(),
    template_id: slugSchema.optional(),
  })
  .strict();
export type DeploymentListQuery = z.infer<typeof deploymentListQuerySchema>;

export const deploymentEventSchema = z.object({
  id: z.string(),
  deployment_id: uuidSchema,
  type: z.string().describe('deployment.status, component.status, action'),
  component_id: z.string().nullable(),
  status: z.string().nullable(),
  message: z.string().nullable(),
  occurred_at: isoTimestampSchema,
});
export type DeploymentEvent = z.infer<typeof deploymentEventSchema>;

export const dryRunResponseSchema = deploymentPlanSchema;
export const USECASE_EVENTS_TOPIC = 'usecase-events';

/** `PATCH /deployments/{id}`: new parameter values (merged over the current ones). */
export const updateDeploymentRequestSchema = z.object({ parameters: z.record(z.string(), z.unknown()) }).strict();
export type UpdateDeploymentRequest = z.infer<typeof updateDeploymentRequestSchema>;

/** `?dry_run=true` on update, scale, upgrade, stop and delete answers a ChangePlan and changes nothing. */
export const dryRunQuerySchema = z.object({ dry_run: z.enum(['true', 'false']).optional() }).strict();
export type DryRunQuery = z.infer<typeof dryRunQuerySchema>;
export const deleteDeploymentQuerySchema = z
  .object({ dry_run: z.enum(['true', 'false']).optional(), keep_data: z.enum(['true', 'false']).optional() })
  .strict();
export type DeleteDeploymentQuery = z.infer<typeof deleteDeploymentQuerySchema>;

/** Only the given fields change (no defaults): merged over the component's planned resources. */
const scaleResourcesSchema = z
  .object({
    gpu_type: resourceFields.gpu_type.optional(),
    gpu_count: resourceFields.gpu_count.optional(),
    cpu_request: resourceFields.cpu_request.optional(),
    cpu_limit: resourceFields.cpu_limit.optional(),
    memory_request: resourceFields.memory_request.optional(),
    memory_limit: resourceFields.memory_limit.optional(),
  })
  .strict();

/** `POST /deployments/{id}/components/{component_id}/scale`: a replicas-only change restarts nothing. */
export const scaleComponentRequestSchema = z
  .object({
    replicas: resourceFields.replicas.optional(),
    resources: scaleResourcesSchema.optional(),
  })
  .strict()
  .refine((r) => r.replicas !== undefined || (r.resources && Object.keys(r.resources).length > 0), {
    message: 'give replicas or resources',
  });
export type ScaleComponentRequest = z.infer<typeof scaleComponentRequestSchema>;

/** `POST /deployments/{id}/upgrade`: to the newest active version of the template, optionally with new parameter values. */
export const upgradeDeploymentRequestSchema = z
  .object({ parameters: z.record(z.string(), z.unknown()).default({}) })
  .strict()
  .default({ parameters: {} });
export type UpgradeDeploymentRequest = z.infer<typeof upgradeDeploymentRequestSchema>;
