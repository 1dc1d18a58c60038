import { z } from 'zod';
import { isoTimestampSchema, paginationQuerySchema, slugSchema } from './common';
import { componentFilesSchema } from './files';
import { deploymentTypes, envSchema, modelEngines, portSchema } from './job';
import { componentProvidesSchema, componentRequiresSchema, componentServesSchema } from './model-catalog';
import { MAX_GPUS_PER_REPLICA, MAX_REPLICAS, cpuQuantitySchema, memoryQuantitySchema, storageQuantitySchema } from './quantity';

export const componentCategories = ['vector_db', 'llm', 'embedding', 'reranker', 'orchestrator', 'ui', 'cache', 'tool', 'agent'] as const;
export type ComponentCategory = (typeof componentCategories)[number];

export const semverSchema = z
  .string()
  .max(100)
  .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, 'must be a semantic version like 1.2.0');
const gpuTypeSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a GPU product name like A100-80GB');
/** Names a template may supply or reference: env names, top-level config keys, output keys. */
const inputNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a name of letters, digits and underscores');
const tagSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase tag');
const chartRepoSchema = z
  .string()
  .max(1000)
  .regex(/^(oci|https):\/\/[^\s/]+(\/[^\s]*)?$|^charts$/, 'must be an https:// or oci:// repository URL, or charts for bundled charts');

export const componentResourcesSchema = z
  .object({
    cpu_request: cpuQuantitySchema.optional(),
    cpu_limit: cpuQuantitySchema.optional(),
    memory_request: memoryQuantitySchema.optional(),
    memory_limit: memoryQuantitySchema.optional(),
    storage: storageQuantitySchema.optional(),
    replicas: z.number().int().min(0).max(MAX_REPLICAS).optional(),
  })
  .strict();
export type ComponentResources = z.infer<typeof componentResourcesSchema>;

const componentFields = {
  id: slugSchema,
  name: z.string().min(1).max(200),
  description: z.string().max(5000).default(''),
  category: z.enum(componentCategories),
  version: semverSchema,
  deployment_type: z.enum(deploymentTypes),
  helm_repo: chartRepoSchema.optional(),
  helm_chart: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a chart name')
    .optional(),
  helm_version: z.string().min(1).max(100).optional(),
  default_values: z.record(z.string(), z.unknown()).default({}),
  image: z
    .string()
    .min(1)
    .max(500)
    .regex(/^[a-z0-9][a-z0-9._\-/]*$/, 'must be an image repository without tag')
    .optional(),
  image_tag: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be an image tag')
    .optional(),
  default_command: z.array(z.string().max(4096)).max(100).optional(),
  model_engine: z.enum(modelEngines).optional(),
  default_gpu_type: gpuTypeSchema.optional(),
  default_gpu_count: z.number().int().min(0).max(MAX_GPUS_PER_REPLICA).default(0),
  default_env: envSchema.default({}),
  /** Files mounted read-only into the container; content may hold `{{ }}` like env (docs/templates.md#files). */
  files: componentFilesSchema.default([]),
  default_resources: componentResourcesSchema.default({}),
  required_inputs: z.array(inputNameSchema).max(100).default([]),
  /** name → template over the job's outputs (`service`, `namespace`, `host`, `port`, `url`). */
  outputs: z.record(inputNameSchema, z.string().min(1).max(2000)).default({}),
  /** Typed contracts (docs/templates.md#typed-contracts): output name → protocol it speaks. */
  provides: componentProvidesSchema.default({}),
  /** Env input → the protocol (and embedding dimension) the output wired to it must have. */
  requires: componentRequiresSchema.default({}),
  /** The model the component serves, checked against the model catalog (memory, context window). */
  serves: componentServesSchema.optional(),
  ports: z.array(portSchema).max(20).default([]),
  health_check_path: z.string().max(500).regex(/^\//, 'must start with /').optional(),
  readiness_timeout_seconds: z.number().int().min(1).max(86_400).default(300),
  tags: z.array(tagSchema).max(50).default([]),
  documentation_url: z.url().max(2000).optional(),
};

type ComponentShape = z.infer<z.ZodObject<typeof componentFields>>;

function checkDeploymentFields(c: ComponentShape, ctx: z.RefinementCtx): void {
  const need = (field: keyof ComponentShape, when: string): void => {
    if (c[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required for a ${when} component` });
  };
  const forbid = (field: keyof ComponentShape, when: string): void => {
    if (c[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `does not apply to a ${when} component` });
  };
  switch (c.deployment_type) {
    case 'helm':
      need('helm_repo', 'helm');
      need('helm_chart', 'helm');
      for (const f of ['image', 'image_tag', 'default_command', 'model_engine'] as const) forbid(f, 'helm');
      if (c.files.length > 0) ctx.addIssue({ code: 'custom', path: ['files'], message: 'does not apply to a helm component' });
      break;
    case 'docker':
      need('image', 'docker');
      need('image_tag', 'docker');
      for (const f of ['helm_repo', 'helm_chart', 'helm_version', 'model_engine'] as const) forbid(f, 'docker');
      break;
    case 'model':
      need('model_engine', 'model');
      for (const f of ['helm_repo', 'helm_chart', 'helm_version', 'image', 'image_tag', 'default_command'] as const) forbid(f, 'model');
      break;
    default: {
      const unreachable: never = c.deployment_type;
      throw new Error(`unknown deployment type ${String(unreachable)}`);
    }
  }
  for (const output of Object.keys(c.provides))
    if (!Object.prototype.hasOwnProperty.call(c.outputs, output))
      ctx.addIssue({
        code: 'custom',
        path: ['provides', output],
        message: `names no output of the component (${Object.keys(c.outputs).join(', ') || 'none'})`,
      });
  if (c.serves && c.deployment_type !== 'model')
    ctx.addIssue({ code: 'custom', path: ['serves'], message: 'applies only to a model component' });
  if (c.default_gpu_count > 0 && !c.default_gpu_type) {
    ctx.addIssue({ code: 'custom', path: ['default_gpu_type'], message: 'is required when default_gpu_count > 0' });
  }
}

/** The YAML seed document and the body of `POST /components` / `PUT /components/{id}` (docs/design.md#components). */
export const componentDefinitionSchema = z.object(componentFields).strict().superRefine(checkDeploymentFields);
export type ComponentDefinition = z.infer<typeof componentDefinitionSchema>;
export type ComponentDefinitionInput = z.input<typeof componentDefinitionSchema>;
export const createComponentRequestSchema = componentDefinitionSchema;
export const updateComponentRequestSchema = componentDefinitionSchema;

export const componentResponseSchema = z.object({
  ...componentFields,
  description: z.string(),
  is_active: z.boolean(),
  created_at: isoTimestampSchema,
  updated_at: isoTimestampSchema,
});
export type ComponentResponse = z.infer<typeof componentResponseSchema>;

export const componentListQuerySchema = paginationQuerySchema
  .extend({
    category: z.enum(componentCategories).optional(),
    deployment_type: z.enum(deploymentTypes).optional(),
    tag: tagSchema.optional(),
    q: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ComponentListQuery = z.infer<typeof componentListQuerySchema>;

/** `GET /components/search?category=&tags=a,b`: components carrying every listed tag. */
export const componentSearchQuerySchema = z
  .object({
    category: z.enum(componentCategories).optional(),
    tags: z
      .string()
      .max(1000)
      .transform((s) => s.split(','))
      .pipe(z.array(tagSchema).min(1).max(20))
      .optional(),
  })
  .strict();
export type ComponentSearchQuery = z.infer<typeof componentSearchQuerySchema>;
