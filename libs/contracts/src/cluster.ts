import { z } from 'zod';
import { isoTimestampSchema, paginationQuerySchema, uuidSchema } from './common';
import { clusterIsolationSchema } from './namespace';
import { simulatedFaultsSchema } from './simulated-faults';

export const clusterTypes = ['kubernetes', 'simulated'] as const;
export const clusterStatuses = ['connecting', 'ready', 'unreachable'] as const;
export type ClusterType = (typeof clusterTypes)[number];
export type ClusterStatus = (typeof clusterStatuses)[number];

export const gpuTypeSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a GPU product name like A100-80GB')
  // Names are keys of records all through both services: one of Object.prototype's would read its member instead.
  .refine((name) => !(name in Object.prototype), 'must not be the name of a JavaScript object property');
const usd = z.number().min(0).max(1_000_000);

const clusterNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lowercase letters, digits and dashes');

export const gpuInventorySchema = z.record(gpuTypeSchema, z.number().int().min(0).max(100_000));
export type GpuInventory = z.infer<typeof gpuInventorySchema>;

/** USD per GPU-hour per GPU type, per vCPU-hour, per GiB-hour of memory and per GiB-month of volume storage. */
export const priceTableSchema = z
  .object({
    gpu_hour: z.record(gpuTypeSchema, usd).default({}),
    vcpu_hour: usd.default(0),
    memory_gib_hour: usd.default(0),
    storage_gib_month: usd.default(0),
  })
  .strict();
export type PriceTable = z.infer<typeof priceTableSchema>;

export const simulatedSettingsSchema = z
  .object({
    admit_delay_ms: z.number().int().min(0).max(86_400_000).default(500),
    ready_delay_ms: z.number().int().min(0).max(86_400_000).default(2000),
    batch_run_ms: z.number().int().min(0).max(86_400_000).default(5000),
    failure_rate: z.number().min(0).max(1).default(0),
    /** Images whose jobs always fail: lets a test or demo break one component on purpose. */
    failing_images: z.array(z.string().min(1).max(500)).max(100).default([]),
    gpu_capacity: gpuInventorySchema.default({ 'A100-80GB': 8, 'H100-80GB': 8 }),
    /** Failures to rehearse (docs/design.md#simulated-faults). */
    faults: simulatedFaultsSchema.default([]),
  })
  .strict();
export type SimulatedSettings = z.infer<typeof simulatedSettingsSchema>;

export const createClusterRequestSchema = z
  .object({
    name: clusterNameSchema,
    type: z.enum(clusterTypes),
    /** null registers a cluster shared by every tenant (platform:admin only). */
    shared: z.boolean().default(false),
    kubeconfig: z.string().min(1).max(262_144).optional(),
    ingress_url: z.url().max(2000).optional(),
    price_table: priceTableSchema.optional(),
    settings: simulatedSettingsSchema.optional(),
    /** docs/design.md#namespaces; defaults when absent. */
    isolation: clusterIsolationSchema.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.type === 'kubernetes' && !value.kubeconfig) {
      ctx.addIssue({ code: 'custom', path: ['kubeconfig'], message: 'is required for a kubernetes cluster' });
    }
    if (value.type === 'simulated' && value.kubeconfig) {
      ctx.addIssue({ code: 'custom', path: ['kubeconfig'], message: 'is not accepted for a simulated cluster' });
    }
    if (value.type === 'kubernetes' && value.settings) {
      ctx.addIssue({ code: 'custom', path: ['settings'], message: 'only simulated clusters have settings' });
    }
  });
export type CreateClusterRequest = z.infer<typeof createClusterRequestSchema>;

export const updateClusterRequestSchema = z
  .object({
    name: clusterNameSchema.optional(),
    ingress_url: z.url().max(2000).nullable().optional(),
    price_table: priceTableSchema.optional(),
    settings: simulatedSettingsSchema.partial().strict().optional(),
    /** Replaces the isolation as a whole; managed namespaces are rendered again. */
    isolation: clusterIsolationSchema.optional(),
  })
  .strict();
export type UpdateClusterRequest = z.infer<typeof updateClusterRequestSchema>;

export const clusterResponseSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  type: z.enum(clusterTypes),
  simulated: z.boolean(),
  tenant_id: uuidSchema.nullable(),
  status: z.enum(clusterStatuses),
  status_message: z.string().nullable(),
  ingress_url: z.string().nullable(),
  gpu_inventory: gpuInventorySchema,
  price_table: priceTableSchema,
  settings: simulatedSettingsSchema.nullable(),
  isolation: clusterIsolationSchema,
  created_at: isoTimestampSchema,
  updated_at: isoTimestampSchema,
  version: z.number().int(),
});
export type ClusterResponse = z.infer<typeof clusterResponseSchema>;

export const clusterListQuerySchema = paginationQuerySchema
  .extend({ type: z.enum(clusterTypes).optional(), status: z.enum(clusterStatuses).optional() })
  .strict();
export type ClusterListQuery = z.infer<typeof clusterListQuerySchema>;
export const deleteClusterQuerySchema = z.object({ force: z.enum(['true', 'false']).optional() }).strict();
export type DeleteClusterQuery = z.infer<typeof deleteClusterQuerySchema>;
