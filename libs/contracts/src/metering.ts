import { z } from 'zod';
import { isoTimestampSchema, uuidSchema } from './common';
import { gpuTypeSchema, priceTableSchema } from './cluster';

/** Decimal USD with six places (micro-dollars), as every cost on the wire. */
export const usdAmountSchema = z
  .string()
  .regex(/^-?\d+\.\d{6}$/, 'decimal USD with six places')
  .describe('decimal USD');
/** A decimal quantity with six places (hours of a GPU, a vCPU or a GiB of memory). */
export const decimalQuantitySchema = z
  .string()
  .regex(/^\d+\.\d{6}$/, 'a decimal with six places')
  .describe('decimal, six places');
/** A money amount a person types: at most two decimal places, at most $1,000,000,000. */
export const moneyInputSchema = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be a decimal amount of USD with at most two decimal places, like 1500 or 1500.50');

// ---------- price book (docs/design.md#price-book) ----------

export const priceBookEntrySchema = z.object({
  cluster_id: uuidSchema,
  effective_from: isoTimestampSchema,
  price_table: priceTableSchema,
  created_at: isoTimestampSchema,
  /** true for the entry in effect now. */
  current: z.boolean(),
});
export type PriceBookEntry = z.infer<typeof priceBookEntrySchema>;

export const createPriceBookEntryRequestSchema = z
  .object({
    price_table: priceTableSchema,
    /** Defaults to now; earlier than now is a 422: a price never applies backwards. */
    effective_from: isoTimestampSchema.optional(),
  })
  .strict();
export type CreatePriceBookEntryRequest = z.infer<typeof createPriceBookEntryRequestSchema>;

// ---------- usage (docs/design.md#usage) ----------

export const usageGroupBys = ['hour', 'day', 'month'] as const;
export type UsageGroupBy = (typeof usageGroupBys)[number];
/** The dimension rows are split by, beside the time bucket. */
export const usageDimensions = ['deployment', 'project', 'cluster', 'gpu_type', 'job'] as const;
export type UsageDimension = (typeof usageDimensions)[number];

/** A range longer than this is refused (422 naming `from`). */
export const MAX_USAGE_RANGE_DAYS = 366;

export const usageQuerySchema = z
  .object({
    /** Only `platform:admin` may name another tenant; anyone else naming one gets a 404. Admins without it see all. */
    tenant_id: uuidSchema.optional(),
    project_id: uuidSchema.optional(),
    deployment_id: uuidSchema.optional(),
    cluster_id: uuidSchema.optional(),
    job_id: uuidSchema.optional(),
    gpu_type: gpuTypeSchema.optional(),
    /** Required: an unbounded range is refused. Rounded down to the minute. */
    from: isoTimestampSchema,
    /** Defaults to now. Rounded down to the minute; must be after `from`. */
    to: isoTimestampSchema.optional(),
    group_by: z.enum(usageGroupBys).default('day'),
    by: z.enum(usageDimensions).optional(),
  })
  .strict();
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usageQuantitiesSchema = z.object({
  gpu_hours: decimalQuantitySchema,
  vcpu_hours: decimalQuantitySchema,
  memory_gib_hours: decimalQuantitySchema,
  cost: usdAmountSchema,
});
export type UsageQuantities = z.infer<typeof usageQuantitiesSchema>;

export const usageRowSchema = usageQuantitiesSchema.extend({
  /** Start of the hour, day or month (UTC). */
  period_start: isoTimestampSchema,
  /** The value of `by` for this row (a deployment, project, cluster or job id, or a GPU type); null: none. */
  key: z.string().nullable(),
});
export type UsageRow = z.infer<typeof usageRowSchema>;

export const usageResponseSchema = z.object({
  tenant_id: uuidSchema.nullable().describe('null: every tenant (platform:admin only)'),
  from: isoTimestampSchema,
  to: isoTimestampSchema,
  group_by: z.enum(usageGroupBys),
  by: z.enum(usageDimensions).nullable(),
  currency: z.literal('USD'),
  items: z.array(usageRowSchema),
  total: usageQuantitiesSchema,
});
export type UsageResponse = z.infer<typeof usageResponseSchema>;

// ---------- invoices (docs/design.md#invoices) ----------

export const invoicePeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM, like 2026-11');

export const invoiceQuerySchema = z
  .object({
    tenant_id: uuidSchema.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();
export type InvoiceQuery = z.infer<typeof invoiceQuerySchema>;

export const unitPricesSchema = z.object({
  gpu_hour: usdAmountSchema,
  vcpu_hour: usdAmountSchema,
  memory_gib_hour: usdAmountSchema,
});

/** One job at one set of unit prices (a price change mid-month splits a job into two lines). */
export const invoiceLineSchema = z.object({
  job_id: uuidSchema,
  job_name: z.string(),
  cluster_id: uuidSchema,
  project_id: uuidSchema.nullable(),
  gpu_type: z.string().nullable(),
  quantities: z.object({ gpu_hours: decimalQuantitySchema, vcpu_hours: decimalQuantitySchema, memory_gib_hours: decimalQuantitySchema }),
  unit_prices: unitPricesSchema,
  amount: usdAmountSchema,
});
export type InvoiceLine = z.infer<typeof invoiceLineSchema>;

export const invoiceResponseSchema = z.object({
  tenant_id: uuidSchema,
  period: z.string(),
  currency: z.literal('USD'),
  /** `open` while the month (or its metering) is not over: the amounts still grow. */
  status: z.enum(['open', 'closed']),
  metered_through: isoTimestampSchema,
  deployments: z.array(
    z.object({
      deployment_id: uuidSchema.nullable().describe('null: jobs created outside a deployment'),
      amount: usdAmountSchema,
      lines: z.array(invoiceLineSchema),
    }),
  ),
  /** Exactly the sum of the ledger's rows for the tenant and month. */
  total: usdAmountSchema,
  /** `total` rounded half up to the cent. */
  total_due: z.string().regex(/^\d+\.\d{2}$/),
});
export type InvoiceResponse = z.infer<typeof invoiceResponseSchema>;

// ---------- budgets (docs/design.md#budgets) ----------

export const budgetActions = ['notify', 'block_new', 'stop'] as const;
export type BudgetAction = (typeof budgetActions)[number];

export const putBudgetRequestSchema = z
  .object({
    /** Absent or null: the tenant's budget; else the project's. */
    project_id: uuidSchema.nullable().optional(),
    monthly_amount: moneyInputSchema,
    /** Percent of the monthly amount at which an event is published once a month; 100 is always included. */
    thresholds: z
      .array(z.number().int().min(1).max(1000))
      .min(1)
      .max(10)
      .refine((t) => new Set(t).size === t.length, 'must not repeat a threshold')
      .default([80, 100]),
    action: z.enum(budgetActions).default('notify'),
  })
  .strict();
export type PutBudgetRequest = z.infer<typeof putBudgetRequestSchema>;

export const budgetResponseSchema = z.object({
  id: uuidSchema,
  tenant_id: uuidSchema,
  project_id: uuidSchema.nullable(),
  monthly_amount: usdAmountSchema,
  thresholds: z.array(z.number().int()),
  action: z.enum(budgetActions),
  /** This month so far, from the ledger. */
  period: z.string(),
  spent: usdAmountSchema,
  remaining: usdAmountSchema.describe('may be negative once over'),
  /** spent + what the scope's running jobs cost per hour × the hours left in the month. */
  projected_month_end: usdAmountSchema,
  used_ratio: z.number(),
  /** Thresholds already crossed this month. */
  crossed: z.array(z.number().int()),
  created_at: isoTimestampSchema,
  updated_at: isoTimestampSchema,
  version: z.number().int(),
});
export type BudgetResponse = z.infer<typeof budgetResponseSchema>;

/** What a new deployment or job would do to the budgets that cover it (dry-run and create). */
export const budgetVerdictSchema = z.object({
  /** false only when a `block_new` budget would be exceeded. */
  admits: z.boolean(),
  budgets: z.array(
    z.object({
      budget_id: uuidSchema,
      project_id: uuidSchema.nullable(),
      action: z.enum(budgetActions),
      remaining: usdAmountSchema,
      projected_month_end: usdAmountSchema,
      /** What the new work would cost for the rest of the month. */
      projected_new: usdAmountSchema,
      /** > 0: over budget by this much. */
      over_by: usdAmountSchema.nullable(),
    }),
  ),
  message: z.string(),
});
export type BudgetVerdict = z.infer<typeof budgetVerdictSchema>;

export const budgetCheckRequestSchema = z
  .object({
    project_id: uuidSchema.nullable().optional(),
    /** The new work's cost per hour (never negative: new work cannot make room in a budget). */
    estimated_cost_per_hour: usdAmountSchema.refine((usd) => !usd.startsWith('-'), 'must not be negative'),
  })
  .strict();
export type BudgetCheckRequest = z.infer<typeof budgetCheckRequestSchema>;

/** Published once per budget, threshold and month on the job-events topic (docs/design.md#budget-events). */
export const BUDGET_THRESHOLD_EVENT_TYPE = 'bud.budget.threshold_crossed';
export const budgetThresholdEventDataSchema = z.object({
  budget_id: uuidSchema,
  tenant_id: uuidSchema,
  project_id: uuidSchema.nullable(),
  period: z.string(),
  threshold: z.number().int(),
  action: z.enum(budgetActions),
  monthly_amount: usdAmountSchema,
  spent: usdAmountSchema,
  occurred_at: isoTimestampSchema,
});
export type BudgetThresholdEventData = z.infer<typeof budgetThresholdEventDataSchema>;
