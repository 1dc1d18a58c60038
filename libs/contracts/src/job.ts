import { z } from 'zod';
import { annotationsSchema, isoTimestampSchema, labelsSchema, uuidSchema } from './common';
import { keysetPaginationQuerySchema } from './pagination';
import { gpuTypeSchema } from './cluster';
import { jobFilesSchema } from './files';
import { jobHealths, jobRolloutSchema } from './job-health';
import { MAX_GPUS_PER_REPLICA, MAX_REPLICAS, cpuQuantitySchema, memoryQuantitySchema, storageQuantitySchema } from './quantity';

export * from './quantity';

export const jobStatuses = ['pending', 'queued', 'admitted', 'running', 'succeeded', 'failed', 'cancelled', 'preempted'] as const;
export type JobStatus = (typeof jobStatuses)[number];
export const activeJobStatuses: readonly JobStatus[] = ['pending', 'queued', 'admitted', 'running', 'preempted'];
export const jobTypes = ['service', 'batch', 'training'] as const;
export type JobType = (typeof jobTypes)[number];
export const deploymentTypes = ['helm', 'docker', 'model'] as const;
export type DeploymentType = (typeof deploymentTypes)[number];
export const sourceTypes = ['direct', 'pipeline', 'usecase', 'endpoint', 'pod'] as const;
export type SourceType = (typeof sourceTypes)[number];
export const priorityClasses = ['critical', 'high', 'normal', 'low'] as const;
export type PriorityClass = (typeof priorityClasses)[number];
export const priorityValues: Record<PriorityClass, number> = { critical: 1000, high: 100, normal: 10, low: 1 };
export const modelEngines = ['vllm', 'tensorrt-llm', 'latentbud', 'tei'] as const;
export type ModelEngine = (typeof modelEngines)[number];

const envNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an environment variable name');
/** Most characters of one env value. */
export const MAX_ENV_VALUE_LENGTH = 65_536;
export const envSchema = z.record(envNameSchema, z.string().max(MAX_ENV_VALUE_LENGTH));
/** What a job answers in place of each `secret_env` value. */
export const SECRET_MASK = '********';
const secretEnvSchema = envSchema.describe(
  'write-only environment: stored sealed, answered masked, given to the container through a Kubernetes Secret',
);
const imageSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/i, 'must be a container image reference');

export const portSchema = z
  .object({
    name: z
      .string()
      .max(15)
      .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be an IANA service name')
      .optional(),
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(['TCP', 'UDP']).default('TCP'),
  })
  .strict();

export const containerSpecSchema = z
  .object({
    kind: z.literal('container'),
    image: imageSchema,
    command: z.array(z.string().max(4096)).max(100).optional(),
    args: z.array(z.string().max(4096)).max(200).optional(),
    env: envSchema.default({}),
    secret_env: secretEnvSchema.optional(),
    /** Mounted read-only, each at its path: a ConfigMap holds them, a Secret the `secret` ones (their content answered masked). */
    files: jobFilesSchema.optional(),
    ports: z.array(portSchema).max(20).default([]),
    health_check_path: z.string().max(500).regex(/^\//, 'must start with /').optional(),
    volumes: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
              .max(63),
            mount_path: z.string().regex(/^\//).max(500),
            size: storageQuantitySchema,
          })
          .strict(),
      )
      .max(10)
      .superRefine((volumes, ctx) => {
        // Kubernetes refuses a pod with two volumes of one name or two mounts at one path; say so here, by field.
        const seen = { name: new Set<string>(), mount_path: new Set<string>() };
        volumes.forEach((volume, i) => {
          for (const field of ['name', 'mount_path'] as const) {
            if (seen[field].has(volume[field])) ctx.addIssue({ code: 'custom', path: [i, field], message: `repeats '${volume[field]}'` });
            seen[field].add(volume[field]);
          }
        });
      })
      .optional(),
  })
  .strict();

export const helmSpecSchema = z
  .object({
    kind: z.literal('helm'),
    chart_ref: z.string().min(1).max(1000),
    chart_version: z.string().max(100).optional(),
    release_name: z
      .string()
      .max(53)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label')
      .optional(),
    values: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const modelSpecSchema = z
  .object({
    kind: z.literal('model'),
    engine: z.enum(modelEngines),
    model_id: z
      .string()
      .min(1)
      .max(300)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'must be a model id like meta-llama/Llama-3.1-8B-Instruct'),
    engine_args: z.array(z.string().max(4096)).max(100).optional(),
    env: envSchema.optional(),
    secret_env: secretEnvSchema.optional(),
    files: jobFilesSchema.optional(),
  })
  .strict();

export const jobSpecSchema = z.discriminatedUnion('kind', [containerSpecSchema, helmSpecSchema, modelSpecSchema]);
export type JobSpec = z.infer<typeof jobSpecSchema>;
export type ContainerSpec = z.infer<typeof containerSpecSchema>;
export type HelmSpec = z.infer<typeof helmSpecSchema>;
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** Each `resources` field alone (no default, not optional), for schemas that take a part of them. */
export const resourceFields = {
  gpu_type: gpuTypeSchema,
  gpu_count: z.number().int().min(0).max(MAX_GPUS_PER_REPLICA).describe(`per replica, at most ${MAX_GPUS_PER_REPLICA}`),
  cpu_request: cpuQuantitySchema,
  cpu_limit: cpuQuantitySchema,
  memory_request: memoryQuantitySchema,
  memory_limit: memoryQuantitySchema,
  replicas: z.number().int().min(0).max(MAX_REPLICAS).describe(`at most ${MAX_REPLICAS}`),
  storage: storageQuantitySchema,
};

/** The fields of `resources` with their defaults, without the cross-field rule. */
export const jobResourcesFieldsSchema = z
  .object({
    gpu_type: resourceFields.gpu_type.optional(),
    gpu_count: resourceFields.gpu_count.default(0),
    cpu_request: resourceFields.cpu_request.default('1'),
    cpu_limit: resourceFields.cpu_limit.optional(),
    memory_request: resourceFields.memory_request.default('1Gi'),
    memory_limit: resourceFields.memory_limit.optional(),
    replicas: resourceFields.replicas.default(1),
    storage: resourceFields.storage.optional(),
  })
  .strict();

/**
 * A change of `resources` as a JSON merge patch (RFC 7386): only the given fields change, no defaults are filled in,
 * and `null` removes an optional field. The merged result must still be valid `resources`.
 */
export const jobResourcesPatchSchema = z
  .object({
    gpu_type: resourceFields.gpu_type.nullable().optional(),
    gpu_count: resourceFields.gpu_count.optional(),
    cpu_request: resourceFields.cpu_request.optional(),
    cpu_limit: resourceFields.cpu_limit.nullable().optional(),
    memory_request: resourceFields.memory_request.optional(),
    memory_limit: resourceFields.memory_limit.nullable().optional(),
    replicas: resourceFields.replicas.optional(),
    storage: resourceFields.storage.nullable().optional(),
  })
  .strict();
export type JobResourcesPatch = z.infer<typeof jobResourcesPatchSchema>;

/** `current` with `patch` merged over it (RFC 7386: null removes); validate the result with jobResourcesSchema. */
export function mergeResources(current: z.infer<typeof jobResourcesFieldsSchema>, patch: JobResourcesPatch): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged;
}

export const jobResourcesSchema = jobResourcesFieldsSchema.superRefine((r, ctx) => {
  if (r.gpu_count > 0 && !r.gpu_type) ctx.addIssue({ code: 'custom', path: ['gpu_type'], message: 'is required when gpu_count > 0' });
});
export type JobResources = z.infer<typeof jobResourcesSchema>;

export const jobPolicySchema = z
  .object({
    preemptible: z.boolean().default(false),
    max_retries: z.number().int().min(0).max(100).default(3),
    retry_delay_seconds: z.number().int().min(0).max(86_400).default(30),
    max_runtime_seconds: z.number().int().min(1).max(31_536_000).optional(),
    /** An in-place update not ready within this long is rolled back to the last good generation. */
    readiness_timeout_seconds: z.number().int().min(1).max(86_400).default(600),
    scale_to_zero: z.boolean().default(false),
    min_replicas: z.number().int().min(0).max(1000).optional(),
    max_replicas: z.number().int().min(1).max(1000).optional(),
    queue_name: z
      .string()
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .optional(),
  })
  .strict();
export type JobPolicy = z.infer<typeof jobPolicySchema>;

export const createJobRequestSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label'),
    job_type: z.enum(jobTypes).default('service'),
    deployment_type: z.enum(deploymentTypes).optional(),
    source_type: z.enum(sourceTypes).default('direct'),
    source_id: z.string().max(200).optional(),
    usecase_deployment_id: uuidSchema.optional(),
    project_id: uuidSchema.optional(),
    idempotency_key: z.string().min(1).max(200).optional(),
    k8s_namespace: z
      .string()
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label')
      .optional(),
    spec: jobSpecSchema,
    resources: jobResourcesSchema.default({ gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 }),
    priority_class: z.enum(priorityClasses).default('normal'),
    policy: jobPolicySchema.default({
      preemptible: false,
      max_retries: 3,
      retry_delay_seconds: 30,
      readiness_timeout_seconds: 600,
      scale_to_zero: false,
    }),
    labels: labelsSchema.default({}),
    annotations: annotationsSchema.default({}),
  })
  .strict()
  .superRefine((job, ctx) => {
    const expected = job.spec.kind === 'container' ? 'docker' : job.spec.kind;
    if (job.deployment_type && job.deployment_type !== expected) {
      ctx.addIssue({ code: 'custom', path: ['deployment_type'], message: `must be '${expected}' for a ${job.spec.kind} spec` });
    }
    if (job.spec.kind === 'helm' && job.job_type !== 'service') {
      ctx.addIssue({ code: 'custom', path: ['job_type'], message: 'helm specs run as service jobs' });
    }
  });
export type CreateJobRequest = z.infer<typeof createJobRequestSchema>;

export const patchJobRequestSchema = z
  .object({
    priority_class: z.enum(priorityClasses).optional(),
    policy: jobPolicySchema.partial().strict().optional(),
    labels: labelsSchema.optional(),
    /**
     * A new spec or resources for a service job, applied in place as a rolling update (docs/design.md#in-place-update):
     * the job keeps its id, its generation goes up, and `health` says `progressing` until the rollout completes.
     */
    spec: jobSpecSchema.optional(),
    resources: jobResourcesPatchSchema.optional(),
    /** Optimistic concurrency: when given, the patch applies only to this version (409 otherwise). */
    version: z.number().int().min(1).optional(),
  })
  .strict();
export type PatchJobRequest = z.infer<typeof patchJobRequestSchema>;

export const jobOutputsSchema = z.object({
  url: z.string().optional(),
  host: z.string().optional(),
  port: z.number().int().optional(),
  service: z.string().optional(),
  namespace: z.string().optional(),
});
export type JobOutputs = z.infer<typeof jobOutputsSchema>;

export const jobEventRecordSchema = z.object({
  id: z.string(),
  from_status: z.enum(jobStatuses).nullable(),
  to_status: z.enum(jobStatuses),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  occurred_at: isoTimestampSchema,
});

export const jobResponseSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  cluster_id: uuidSchema,
  tenant_id: uuidSchema,
  project_id: uuidSchema.nullable(),
  created_by: uuidSchema,
  job_type: z.enum(jobTypes),
  deployment_type: z.enum(deploymentTypes),
  source_type: z.enum(sourceTypes),
  source_id: z.string().nullable(),
  usecase_deployment_id: uuidSchema.nullable(),
  idempotency_key: z.string().nullable(),
  spec: jobSpecSchema,
  resources: jobResourcesSchema,
  priority_class: z.enum(priorityClasses),
  priority: z.number().int(),
  policy: jobPolicySchema,
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  status: z.enum(jobStatuses),
  status_reason: z.string().nullable(),
  status_message: z.string().nullable(),
  retry_count: z.number().int(),
  k8s_namespace: z.string().nullable(),
  k8s_resource_kind: z.string().nullable(),
  k8s_resource_name: z.string().nullable(),
  kueue_workload_name: z.string().nullable(),
  /** 1-based place in the tenant's queue while queued (docs/design.md#quotas); null otherwise. */
  queue_position: z.number().int().nullable(),
  /** The ResourceFlavor (GPU product) quota was reserved in, once admitted. */
  admitted_flavor: z.string().nullable(),
  health: z.enum(jobHealths),
  health_reason: z.string().nullable(),
  health_message: z.string().nullable(),
  rollout: jobRolloutSchema,
  outputs: jobOutputsSchema,
  estimated_cost_per_hour: z.string().describe('decimal USD'),
  estimated_cost: z.string().nullable().describe('decimal USD, when max_runtime_seconds bounds the run'),
  actual_cost: z
    .string()
    .nullable()
    .describe(
      "decimal USD: the running sum of the job's usage ledger over all its runs (docs/design.md#metering); it trails the clock by up to a minute plus METER_LATENESS_MS",
    ),
  created_at: isoTimestampSchema,
  updated_at: isoTimestampSchema,
  queued_at: isoTimestampSchema.nullable(),
  started_at: isoTimestampSchema.nullable(),
  completed_at: isoTimestampSchema.nullable(),
  version: z.number().int(),
  events: z.array(jobEventRecordSchema).optional(),
});
export type JobResponse = z.infer<typeof jobResponseSchema>;

/** A comma list of the enum's values, each once (a repeated value would be a repeated filter arm). */
const csvOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(2000)
    .transform((s) => [...new Set(s.split(','))])
    .pipe(z.array(z.enum(values)).min(1));

export const jobListQuerySchema = keysetPaginationQuerySchema
  .extend({
    status: csvOf(jobStatuses).optional(),
    job_type: csvOf(jobTypes).optional(),
    source_type: csvOf(sourceTypes).optional(),
    source_id: z.string().max(200).optional(),
    usecase_deployment_id: uuidSchema.optional(),
    project_id: uuidSchema.optional(),
    labels: z
      .string()
      .max(2000)
      .regex(/^[^=,]+=[^=,]*(,[^=,]+=[^=,]*)*$/, 'must be a label selector k=v[,k=v]')
      .transform((s) => Object.fromEntries(s.split(',').map((pair) => pair.split('=') as [string, string])))
      .optional(),
  })
  .strict();
export type JobListQuery = z.infer<typeof jobListQuerySchema>;

export const scheduleQuerySchema = z
  .object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) })
  .strict()
  .refine((q) => Date.parse(q.end) > Date.parse(q.start), { path: ['end'], message: 'must be after start' })
  .refine((q) => Date.parse(q.end) - Date.parse(q.start) <= 366 * 86_400_000, {
    path: ['end'],
    message: 'window must be at most 366 days',
  });

export const scheduleResponseSchema = z.object({
  start: isoTimestampSchema,
  end: isoTimestampSchema,
  jobs: z.array(
    z.object({
      job_id: uuidSchema,
      name: z.string(),
      status: z.enum(jobStatuses),
      job_type: z.enum(jobTypes),
      gpu_type: z.string().nullable(),
      gpu_count: z.number().int(),
      start: isoTimestampSchema,
      end: isoTimestampSchema,
      end_is_estimate: z.boolean(),
      queue_position: z.number().int().nullable(),
      /** For queued work: when it is expected to start, from the running work's expected ends; null when unknown. */
      estimated_start: isoTimestampSchema.nullable(),
    }),
  ),
  gpus: z.record(z.string(), z.object({ total: z.number().int(), used: z.number().int(), queued: z.number().int() })),
});
export type ScheduleResponse = z.infer<typeof scheduleResponseSchema>;

/**
 * data of the CloudEvent `bud.job.<status>` (a status change) or `bud.job.health` / `bud.job.rollout` (same status,
 * new health or generation) on topic `job-events` (docs/design.md#job-events).
 */
export const jobEventDataSchema = z.object({
  job_id: uuidSchema,
  tenant_id: uuidSchema,
  cluster_id: uuidSchema,
  source_type: z.enum(sourceTypes),
  source_id: z.string().nullable(),
  usecase_deployment_id: uuidSchema.nullable(),
  status: z.enum(jobStatuses),
  previous_status: z.enum(jobStatuses).nullable(),
  status_reason: z.string().nullable(),
  status_message: z.string().nullable(),
  outputs: jobOutputsSchema,
  health: z.enum(jobHealths),
  health_reason: z.string().nullable(),
  health_message: z.string().nullable(),
  rollout: jobRolloutSchema,
  version: z.number().int(),
  occurred_at: isoTimestampSchema,
});
export type JobEventData = z.infer<typeof jobEventDataSchema>;
export const JOB_EVENTS_TOPIC = 'job-events';
export const PUBSUB_NAME = 'pubsub';
