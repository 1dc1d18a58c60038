import { z } from 'zod';
import { dnsLabelSchema, isoTimestampSchema, paginationQuerySchema, slugSchema, uuidSchema } from './common';
import { componentCategories, semverSchema } from './component';
import { componentFilesSchema } from './files';
import { createJobRequestSchema, deploymentTypes, jobResourcesSchema } from './job';
import { budgetVerdictSchema } from './metering';
import { planCheckSchema, planWarningSchema } from './model-catalog';
import { quotaVerdictSchema } from './quota';
import { MAX_GPUS_PER_REPLICA, MAX_REPLICAS, cpuQuantitySchema, memoryQuantitySchema, storageQuantitySchema } from './quantity';

export const templateCategories = ['rag', 'chatbot', 'agent'] as const;
export type TemplateCategory = (typeof templateCategories)[number];
export const templateComplexities = ['simple', 'intermediate', 'advanced'] as const;
/** `list` is a list of strings; its `options` are the allowed items and `min`/`max` bound how many (docs/templates.md#parameters). */
export const parameterTypes = ['string', 'integer', 'number', 'boolean', 'enum', 'model_ref', 'cluster_ref', 'secret', 'list'] as const;
export type ParameterType = (typeof parameterTypes)[number];

/** A string carrying at least one `{{ ... }}` expression (docs/design.md#template-format). */
export const expressionStringSchema = z.string().max(65536).regex(/\{\{/, 'must be a value or a {{ expression }}');
const tagSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase tag');
export const MAX_LIST_ITEMS = 200;
export const MAX_LIST_ITEM_LENGTH = 1000;
const parameterValueSchema = z.union([
  z.string().max(65536),
  z.number(),
  z.boolean(),
  z.array(z.string().max(MAX_LIST_ITEM_LENGTH)).max(MAX_LIST_ITEMS),
]);

// Nested quantifiers and backreferences are how a pattern backtracks exponentially on a user's value.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]|\\[1-9]/;
const patternSchema = z
  .string()
  .min(1)
  .max(300)
  .refine((p) => !NESTED_QUANTIFIER.test(p), 'must not use nested quantifiers or backreferences')
  .refine((p) => {
    try {
      new RegExp(p, 'u');
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression');

export const templateParameterSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be lower_snake_case'),
    type: z.enum(parameterTypes),
    label: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    required: z.boolean().default(false),
    default: parameterValueSchema.optional(),
    options: z
      .array(z.union([z.string().max(1000), z.number()]))
      .min(1)
      .max(200)
      .optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    pattern: patternSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'enum' && !p.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'is required for an enum parameter' });
    if (p.type === 'secret' && p.default !== undefined)
      ctx.addIssue({ code: 'custom', path: ['default'], message: 'a secret parameter cannot have a default' });
    if (p.min !== undefined && p.max !== undefined && p.min > p.max)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'must be at least min' });
    if (p.type !== 'list' && Array.isArray(p.default))
      ctx.addIssue({ code: 'custom', path: ['default'], message: 'a list default needs type list' });
    if (p.type === 'list' && p.default !== undefined && !Array.isArray(p.default))
      ctx.addIssue({ code: 'custom', path: ['default'], message: 'must be a list of strings' });
    if (p.type === 'list' && Array.isArray(p.default) && p.options) {
      const allowed = p.options;
      p.default.forEach((item, i) => {
        if (!allowed.includes(item)) ctx.addIssue({ code: 'custom', path: ['default', i], message: 'must be one of the options' });
      });
    }
  });
export type TemplateParameter = z.infer<typeof templateParameterSchema>;

const intOrExpression = (max: number) => z.union([z.number().int().min(0).max(max), expressionStringSchema]);
/** A literal is bounded here; an expression is bounded after rendering, at resolve time. */
const quantityOrExpression = (literal: z.ZodType<string>) => z.union([literal, expressionStringSchema]);

export const templateResourcesSchema = z
  .object({
    cpu_request: quantityOrExpression(cpuQuantitySchema).optional(),
    cpu_limit: quantityOrExpression(cpuQuantitySchema).optional(),
    memory_request: quantityOrExpression(memoryQuantitySchema).optional(),
    memory_limit: quantityOrExpression(memoryQuantitySchema).optional(),
    storage: quantityOrExpression(storageQuantitySchema).optional(),
  })
  .strict();

const envNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an environment variable name');

export const templateComponentSchema = z
  .object({
    id: dnsLabelSchema,
    component_ref: slugSchema,
    depends_on: z.array(dnsLabelSchema).max(200).default([]),
    /** Expression, with or without `{{ }}`; false skips the component. */
    condition: z.union([z.string().min(1).max(4096), z.boolean()]).optional(),
    config: z.record(z.string(), z.unknown()).default({}),
    env: z.record(envNameSchema, z.union([z.string().max(65536), z.number(), z.boolean()])).default({}),
    /** Added to the component's files; one of the same path replaces it. */
    files: componentFilesSchema.optional(),
    resources: templateResourcesSchema.optional(),
    model_id: z.string().min(1).max(300).optional(),
    gpu_type: z.string().min(1).max(100).optional(),
    gpu_count: intOrExpression(MAX_GPUS_PER_REPLICA).optional(),
    replicas: intOrExpression(MAX_REPLICAS).optional(),
  })
  .strict();
export type TemplateComponent = z.infer<typeof templateComponentSchema>;

export const templateRoutingSchema = z
  .object({
    entrypoint: dnsLabelSchema.describe('the component instance that receives user traffic'),
    path_prefix: z.string().max(200).regex(/^\//, 'must start with /').default('/'),
  })
  .strict();
export const templateObservabilitySchema = z
  .object({ metrics: z.boolean().default(true), tracing: z.boolean().default(false), dashboard: z.string().max(200).optional() })
  .strict();

const templateFields = {
  id: slugSchema,
  name: z.string().min(1).max(200),
  description: z.string().max(5000).default(''),
  category: z.enum(templateCategories),
  version: semverSchema,
  complexity: z.enum(templateComplexities).default('simple'),
  tags: z.array(tagSchema).max(50).default([]),
  parameters: z.array(templateParameterSchema).max(100).default([]),
  components: z.array(templateComponentSchema).min(1).max(200),
  routing: templateRoutingSchema.optional(),
  observability: templateObservabilitySchema.optional(),
};

function checkUniqueNames(t: { parameters: Array<{ name: string }>; components: Array<{ id: string }> }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  t.parameters.forEach((p, i) => {
    if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `duplicates parameter '${p.name}'` });
    seen.add(p.name);
  });
  seen.clear();
  t.components.forEach((c, i) => {
    if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['components', i, 'id'], message: `duplicates component '${c.id}'` });
    seen.add(c.id);
  });
}

/** A template document: system YAML files and user template bodies alike (docs/design.md#template-format). */
export const templateDocumentSchema = z.object(templateFields).strict().superRefine(checkUniqueNames);
export type TemplateDocument = z.infer<typeof templateDocumentSchema>;
export type TemplateDocumentInput = z.input<typeof templateDocumentSchema>;

export const createTemplateRequestSchema = templateDocumentSchema;
/** PUT body: the full document; `id` may be omitted (the path names it); `revision` guards concurrent edits. */
export const updateTemplateRequestSchema = z
  .object({ ...templateFields, id: slugSchema.optional(), revision: z.number().int().min(1).optional() })
  .strict()
  .superRefine(checkUniqueNames);
export type UpdateTemplateRequest = z.infer<typeof updateTemplateRequestSchema>;
export const forkTemplateRequestSchema = z.object({ id: slugSchema.optional(), name: z.string().min(1).max(200).optional() }).strict();
export type ForkTemplateRequest = z.infer<typeof forkTemplateRequestSchema>;

export const templateResponseSchema = z.object({
  ...templateFields,
  description: z.string(),
  is_system: z.boolean(),
  is_active: z.boolean(),
  source_file: z.string().nullable(),
  tenant_id: uuidSchema.nullable(),
  created_by: uuidSchema.nullable(),
  forked_from: z.string().nullable(),
  revision: z.number().int().describe('optimistic concurrency counter; version is the semantic version'),
  created_at: isoTimestampSchema,
  updated_at: isoTimestampSchema,
});
export type TemplateResponse = z.infer<typeof templateResponseSchema>;

/** One item of `GET /templates/{id}/versions`: a saved revision of a template's document. */
export const templateVersionResponseSchema = z.object({
  id: z.string(),
  version: z.string(),
  revision: z.number().int(),
  change: z.string(),
  author: uuidSchema.nullable(),
  document: templateDocumentSchema,
  created_at: isoTimestampSchema,
});
export type TemplateVersionResponse = z.infer<typeof templateVersionResponseSchema>;

export const templateListQuerySchema = paginationQuerySchema
  .extend({
    category: z.enum(templateCategories).optional(),
    tag: tagSchema.optional(),
    is_system: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    q: z.string().min(1).max(200).optional(),
  })
  .strict();
export type TemplateListQuery = z.infer<typeof templateListQuerySchema>;

export const templateSyncResultSchema = z.object({
  created: z.array(z.string()),
  updated: z.array(z.string()),
  unchanged: z.array(z.string()),
  conflicts: z.array(z.object({ id: z.string(), source_file: z.string(), message: z.string() })),
  deactivated: z.array(z.string()),
  errors: z.array(z.object({ source_file: z.string(), path: z.string(), message: z.string() })),
});
export type TemplateSyncResult = z.infer<typeof templateSyncResultSchema>;

const usdString = z
  .string()
  .regex(/^\d+\.\d{6}$/, 'decimal USD')
  .describe('decimal USD');
const pathSegmentsSchema = z.array(z.union([z.string(), z.number().int()]));

/** A string in `job` still holding `{{ }}` that only deploy time can fill: dependency outputs, secrets. */
export const pendingValueSchema = z.object({
  path: pathSegmentsSchema.describe('segments inside job, e.g. ["spec","env","LLM_URL"]'),
  components: z.array(z.string()),
  secrets: z.array(z.string()),
});
export type PendingValue = z.infer<typeof pendingValueSchema>;

export const plannedComponentSchema = z.object({
  id: z.string(),
  component_ref: z.string(),
  category: z.enum(componentCategories),
  deployment_type: z.enum(deploymentTypes),
  wave: z.number().int().min(0),
  depends_on: z.array(z.string()),
  config: z.record(z.string(), z.unknown()),
  env: z.record(z.string(), z.string()),
  resources: jobResourcesSchema,
  gpu: z.object({ type: z.string().nullable(), count: z.number().int().describe('per replica × replicas') }),
  estimated_cost_per_hour: usdString,
  readiness_timeout_seconds: z.number().int(),
  job: createJobRequestSchema,
  pending: z.array(pendingValueSchema),
});
export type PlannedComponent = z.infer<typeof plannedComponentSchema>;

export const capacityVerdictSchema = z.object({
  admits: z.boolean(),
  /** Under the tenant's quota on the cluster (docs/design.md#quotas); absent when the cluster reported none. */
  quota: quotaVerdictSchema.optional(),
  gpus: z.array(z.object({ gpu_type: z.string(), requested: z.number().int(), free: z.number().int(), sufficient: z.boolean() })),
  message: z.string(),
});
export type CapacityVerdict = z.infer<typeof capacityVerdictSchema>;

/** The dry-run answer of `POST /deployments?dry_run=true` (docs/design.md#deployments). */
export const deploymentPlanSchema = z.object({
  template_id: z.string(),
  template_version: z.string(),
  parameters: z.record(z.string(), z.unknown()).describe('effective values; secrets are masked'),
  waves: z.array(z.object({ wave: z.number().int().min(0), components: z.array(plannedComponentSchema) })),
  skipped: z.array(z.object({ id: z.string(), component_ref: z.string(), reason: z.string() })),
  total: z.object({
    components: z.number().int(),
    gpus: z.record(z.string(), z.number().int()),
    estimated_cost_per_hour: usdString,
  }),
  capacity: capacityVerdictSchema,
  /** docs/design.md#budgets: what the deployment would do to the budgets that cover it (dry-run; absent when none apply). */
  budget: budgetVerdictSchema.optional(),
  /** docs/templates.md#typed-contracts: the contract checks that passed (a failed one is a 422 naming the parameter). */
  checks: z.array(planCheckSchema).optional(),
  /** Checks that could not run: a model outside the catalog, a GPU type of unknown memory, an undeclared output. */
  warnings: z.array(planWarningSchema).optional(),
});
export type DeploymentPlan = z.infer<typeof deploymentPlanSchema>;
