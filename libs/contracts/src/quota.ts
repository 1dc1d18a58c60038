import { z } from 'zod';
import { gpuTypeSchema } from './cluster';
import { isoTimestampSchema, uuidSchema } from './common';
import { quantitySchema, quantityValue } from './quantity';

const gpusSchema = z.number().int().min(0).max(100_000);

/** A cluster's worth, not a replica's: a million cores, an exbibyte of memory. */
const clusterQuantity = (max: number, text: string) =>
  quantitySchema.refine((q) => quantityValue(q) <= max, { message: `must be at most ${text}` });
const cpuQuantitySchema = clusterQuantity(1_000_000, '1000000 (cores)');
const memoryQuantitySchema = clusterQuantity(2 ** 60, '1Ei');

/** How much of one GPU product a tenant holds (`nominal`) and may borrow beyond it from the cohort (null: all it lends). */
export const gpuQuotaSchema = z.object({ nominal: gpusSchema, borrowing_limit: gpusSchema.nullable().default(null) }).strict();
export const cpuQuotaSchema = z
  .object({ nominal: cpuQuantitySchema, borrowing_limit: cpuQuantitySchema.nullable().default(null) })
  .strict();
export const memoryQuotaSchema = z
  .object({ nominal: memoryQuantitySchema, borrowing_limit: memoryQuantitySchema.nullable().default(null) })
  .strict();

/**
 * `PUT /clusters/{id}/quotas/{tenant_id|default}` (docs/design.md#quotas): GPUs per product, optional CPU and memory
 * (absent: not limited), the weight of the tenant's fair share, and whether it lends and borrows in the cluster's cohort.
 */
export const quotaRequestSchema = z
  .object({
    gpus: z.record(gpuTypeSchema, gpuQuotaSchema).default({}),
    cpu: cpuQuotaSchema.optional(),
    memory: memoryQuotaSchema.optional(),
    // Bounded below too: a weight like 5e-324 turns every fair-share value into Infinity.
    weight: z.number().min(0.01, 'must be at least 0.01').max(1000).default(1),
    cohort: z.boolean().default(true),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.cohort) return;
    const limited = (path: Array<string | number>) =>
      ctx.addIssue({ code: 'custom', path, message: 'needs the cohort: a queue outside it cannot borrow' });
    // A limit of 0 says the same as no cohort, so it is no contradiction.
    for (const [product, quota] of Object.entries(value.gpus))
      if (quota.borrowing_limit !== null && quota.borrowing_limit > 0) limited(['gpus', product, 'borrowing_limit']);
    if (value.cpu?.borrowing_limit && quantityValue(value.cpu.borrowing_limit) > 0) limited(['cpu', 'borrowing_limit']);
    if (value.memory?.borrowing_limit && quantityValue(value.memory.borrowing_limit) > 0) limited(['memory', 'borrowing_limit']);
  });
export type QuotaRequest = z.infer<typeof quotaRequestSchema>;

/** What a tenant's admitted work holds now, and what waits, per GPU product (plus CPU cores and memory GiB). */
export const quotaUsageSchema = z.object({
  gpus: z.record(z.string(), z.object({ admitted: z.number().int(), borrowed: z.number().int(), queued: z.number().int() })),
  cpu: z.string().describe('cores held by admitted work'),
  memory: z.string().describe('bytes held by admitted work, as a quantity'),
});

export const quotaResponseSchema = z.object({
  cluster_id: uuidSchema,
  /** null for the cluster's default quota. */
  tenant_id: uuidSchema.nullable(),
  /** `tenant`: set for this tenant; `default`: the cluster's default (set by an admin, or built in). */
  source: z.enum(['tenant', 'default', 'built-in']),
  gpus: z.record(z.string(), z.object({ nominal: z.number().int(), borrowing_limit: z.number().int().nullable() })),
  cpu: z.object({ nominal: z.string(), borrowing_limit: z.string().nullable() }).nullable(),
  memory: z.object({ nominal: z.string(), borrowing_limit: z.string().nullable() }).nullable(),
  weight: z.number(),
  cohort: z.boolean(),
  usage: quotaUsageSchema.nullable().describe('null for the default quota row'),
  updated_at: isoTimestampSchema.nullable(),
});
export type QuotaResponse = z.infer<typeof quotaResponseSchema>;

/** The capacity verdict's quota part (docs/design.md#quotas): whether the stack runs now, waits, or never fits. */
export const quotaVerdictSchema = z.object({
  outcome: z.enum(['runs_now', 'queues', 'never_fits']),
  message: z.string(),
});
export type QuotaVerdict = z.infer<typeof quotaVerdictSchema>;
