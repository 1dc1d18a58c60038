import type {
  ComponentDefinition,
  CreateJobRequest,
  JobFile,
  JobResources,
  PendingValue,
  PlannedComponent,
  TemplateDocument,
} from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import type { Scope } from '../expressions';
import {
  MAX_ENV_VALUE_LENGTH,
  MAX_FILE_BYTES,
  MAX_GPUS_PER_REPLICA,
  MAX_REPLICAS,
  quantityBoundIssue,
  quantitySchema,
  resourceQuantityKinds,
} from '@bud/contracts';
import { formatUsd, hourlyCostIssue, hourlyCostMicros } from '@bud/workloads';
import { valueToText } from '../expressions';
import type { AnalyzedComponent } from './analyze-template';
import { jobPathOf, secretAllowedAt, secretPlacementMessage } from './component-fields';
import { checkRenderedFiles, fileContentRelative, fileSources } from './component-files';
import { buildJobSpec } from './job-spec';
import type { PendingString, RenderContext } from './render-tree';
import { deepMerge, renderTree, setOwn } from './render-tree';
import type { ResolveContext } from './types';

export interface ComponentPlanInput {
  analyzed: AnalyzedComponent & { definition: ComponentDefinition };
  template: TemplateDocument;
  context: ResolveContext;
  scope: Scope;
  deployed: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  wave: number;
  dependsOn: string[];
  errors: ErrorDetail[];
}

export const DEFAULT_JOB_POLICY: CreateJobRequest['policy'] = {
  preemptible: false,
  max_retries: 3,
  retry_delay_seconds: 30,
  readiness_timeout_seconds: 600,
  scale_to_zero: false,
};

function planningValue(ctx: RenderContext, field: string, value: unknown): unknown {
  return value === undefined ? undefined : renderTree(value, [field], ctx);
}

function integerField(value: unknown, fallback: number, max: number, path: string, errors: ErrorDetail[]): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max) return value;
  errors.push({ path, message: `must be an integer from 0 to ${max}` });
  return fallback;
}

function resourcesOf(input: ComponentPlanInput, ctx: RenderContext, base: string): JobResources {
  const { spec, definition: d } = input.analyzed;
  const errors = input.errors;
  const rendered = (planningValue(ctx, 'resources', spec.resources) ?? {}) as Record<string, unknown>;
  const quantity = (key: 'cpu_request' | 'cpu_limit' | 'memory_request' | 'memory_limit' | 'storage'): string | undefined => {
    const value = rendered[key] ?? d.default_resources[key];
    if (value === undefined) return undefined;
    const issue =
      typeof value === 'string' && quantitySchema.safeParse(value).success
        ? quantityBoundIssue(resourceQuantityKinds[key], value)
        : 'must be a Kubernetes quantity like 500m, 2 or 8Gi';
    if (issue === null) return value as string;
    errors.push({ path: `${base}.resources.${key}`, message: issue });
    return undefined;
  };
  const gpuCount = integerField(
    planningValue(ctx, 'gpu_count', spec.gpu_count),
    d.default_gpu_count,
    MAX_GPUS_PER_REPLICA,
    `${base}.gpu_count`,
    errors,
  );
  const replicas = integerField(
    planningValue(ctx, 'replicas', spec.replicas),
    d.default_resources.replicas ?? 1,
    MAX_REPLICAS,
    `${base}.replicas`,
    errors,
  );
  const gpuTypeValue = planningValue(ctx, 'gpu_type', spec.gpu_type) ?? d.default_gpu_type ?? input.context.cluster.default_gpu_type;
  const gpuType = typeof gpuTypeValue === 'string' && gpuTypeValue !== '' ? gpuTypeValue : undefined;
  if (gpuCount > 0 && !gpuType) errors.push({ path: `${base}.gpu_type`, message: 'is required when the component asks for GPUs' });
  const optional = (key: 'cpu_limit' | 'memory_limit' | 'storage'): Partial<JobResources> => {
    const value = quantity(key);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    ...(gpuCount > 0 && gpuType ? { gpu_type: gpuType } : {}),
    gpu_count: gpuCount,
    cpu_request: quantity('cpu_request') ?? '1',
    ...optional('cpu_limit'),
    memory_request: quantity('memory_request') ?? '1Gi',
    ...optional('memory_limit'),
    replicas,
    ...optional('storage'),
  };
}

/**
 * The instance's files with their `{{ }}` rendered like env: what waits for outputs or secrets stays pending (at
 * `files[k].content`), and a file that uses a secret parameter is marked `secret` (budcluster mounts it from a Secret).
 */
function renderFiles(input: ComponentPlanInput, ctx: RenderContext, base: string): JobFile[] {
  const sources = fileSources(input.analyzed.spec, input.analyzed.definition);
  const pending = new Set<number>();
  const files = sources.map(({ file, origin }, k): JobFile => {
    const own: RenderContext = { ...ctx, base: [...ctx.base, ...origin, 'content'], pending: [], maxLength: MAX_FILE_BYTES };
    const content = valueToText(renderTree(file.content, [], own));
    ctx.pending.push(...own.pending.map((p) => ({ ...p, relative: fileContentRelative(k) })));
    if (own.pending.length > 0) pending.add(k);
    const secret = own.pending.some((p) => p.secrets.length > 0);
    return { path: file.path, content, mode: file.mode, ...(secret ? { secret: true } : {}) };
  });
  input.errors.push(...checkRenderedFiles(files, sources, base, pending));
  return files;
}

function pendingValues(pending: readonly PendingString[], input: ComponentPlanInput, base: Array<string | number>): PendingValue[] {
  const out: PendingValue[] = [];
  for (const p of pending) {
    const path = jobPathOf(input.analyzed.definition.deployment_type, p.relative);
    if (path && p.secrets.length > 0 && !secretAllowedAt(input.analyzed.definition.deployment_type, p.relative))
      input.errors.push({ path: formatPath([...base, ...p.relative]), message: secretPlacementMessage(p.secrets[0]) });
    else if (path) out.push({ path, components: p.components, secrets: p.secrets });
    else
      input.errors.push({
        path: formatPath([...base, ...p.relative]),
        message: 'cannot use outputs of other components or secrets here; they are only known at deploy time',
      });
  }
  return out;
}

/** One component's slice of the plan: rendered config/env, resources, job body, price. */
export function planComponent(input: ComponentPlanInput): PlannedComponent {
  const { spec, definition: d, index } = input.analyzed;
  const baseSegments: Array<string | number> = ['components', index];
  const base = formatPath(baseSegments);
  const errorCount = input.errors.length;
  const ctx: RenderContext = {
    scope: input.scope,
    deployed: input.deployed,
    secrets: input.secrets,
    base: baseSegments,
    errors: input.errors,
    pending: [],
  };
  const config = deepMerge(d.default_values, renderTree(spec.config, ['config'], ctx) as Record<string, unknown>);
  const env: Record<string, string> = {};
  const envCtx: RenderContext = { ...ctx, maxLength: MAX_ENV_VALUE_LENGTH };
  for (const [key, value] of Object.entries(d.default_env)) setOwn(env, key, value);
  for (const [key, value] of Object.entries(spec.env)) setOwn(env, key, valueToText(renderTree(value, ['env', key], envCtx)));
  const files = d.deployment_type === 'helm' ? [] : renderFiles(input, ctx, base);
  const modelId = planningValue({ ...ctx, pending: [] }, 'model_id', spec.model_id);
  const resources = resourcesOf(input, { ...ctx, pending: [] }, base);
  const jobSpec = buildJobSpec({ definition: d, releaseName: spec.id, config, env, files, modelId, resources, base, errors: input.errors });
  const pending = pendingValues(ctx.pending, input, baseSegments);
  const { deployment } = input.context;
  const job: CreateJobRequest = {
    name: spec.id,
    job_type: 'service',
    deployment_type: d.deployment_type,
    source_type: 'usecase',
    source_id: deployment.id,
    usecase_deployment_id: deployment.id,
    ...(deployment.project_id ? { project_id: deployment.project_id } : {}),
    idempotency_key: `usecase-${deployment.id}-${spec.id}`,
    k8s_namespace: deployment.namespace,
    spec: jobSpec,
    resources,
    priority_class: 'normal',
    policy: { ...DEFAULT_JOB_POLICY, readiness_timeout_seconds: d.readiness_timeout_seconds },
    labels: { 'usecase-template': input.template.id, 'usecase-component': spec.id, 'usecase-component-ref': d.id },
    annotations: {},
  };
  const prices = input.context.cluster.price_table;
  const costIssue = input.errors.length > errorCount ? null : hourlyCostIssue(resources, prices);
  if (costIssue) input.errors.push({ path: `${base}.resources`, message: costIssue });
  const hourly = input.errors.length > errorCount ? 0 : hourlyCostMicros(resources, prices);
  return {
    id: spec.id,
    component_ref: d.id,
    category: d.category,
    deployment_type: d.deployment_type,
    wave: input.wave,
    depends_on: input.dependsOn,
    config,
    env,
    resources,
    gpu: { type: resources.gpu_type ?? null, count: resources.gpu_count * resources.replicas },
    estimated_cost_per_hour: formatUsd(hourly),
    readiness_timeout_seconds: d.readiness_timeout_seconds,
    job,
    pending,
  };
}
