import { jobResourcesSchema } from '@bud/contracts';
import type { DeploymentPlan, PlannedComponent, PriceTable } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { formatUsd, hourlyCostIssue, hourlyCostMicros, parseUsdMicros } from '@bud/workloads';
import { capacityVerdict } from '../resolver';
import type { ResolveContext } from '../resolver';

/** Per-component resource overrides a scale stored (docs/design.md#deployment-update). */
export interface ComponentOverride {
  replicas?: number;
  cpu_request?: string;
  cpu_limit?: string;
  memory_request?: string;
  memory_limit?: string;
  gpu_count?: number;
  gpu_type?: string;
}
export type ComponentOverrides = Record<string, ComponentOverride>;

/**
 * A scale request folded into the overrides already stored for the component: only the fields the request gives
 * (an absent or undefined one keeps the stored override, or else the planned value).
 */
export function mergeOverride(
  stored: ComponentOverrides,
  componentId: string,
  request: { replicas?: number; resources?: Omit<ComponentOverride, 'replicas'> },
): ComponentOverrides {
  const given = Object.fromEntries(Object.entries(request.resources ?? {}).filter(([, value]) => value !== undefined));
  const next: ComponentOverride = { ...stored[componentId], ...given };
  if (request.replicas !== undefined) next.replicas = request.replicas;
  return { ...stored, [componentId]: next };
}

/**
 * The planned component with the override over its resources (job and plan alike), GPUs and cost recomputed.
 * Resources the Job API would refuse (gpu_count without gpu_type) or that price the component past the cost bound
 * are errors under `path`.
 */
export function applyOverride(
  planned: PlannedComponent,
  override: ComponentOverride | undefined,
  prices: PriceTable,
  path: string,
): { ok: true; value: PlannedComponent } | { ok: false; errors: ErrorDetail[] } {
  if (!override || Object.keys(override).length === 0) return { ok: true, value: planned };
  const resources = { ...planned.job.resources, ...override };
  const checked = jobResourcesSchema.safeParse(resources);
  if (!checked.success)
    return {
      ok: false,
      errors: checked.error.issues.map((i) => ({ path: [path, ...i.path.map(String)].join('.'), message: i.message })),
    };
  const issue = hourlyCostIssue(resources, prices);
  if (issue) return { ok: false, errors: [{ path, message: issue }] };
  return {
    ok: true,
    value: {
      ...planned,
      resources,
      job: { ...planned.job, resources },
      gpu: { type: resources.gpu_type ?? null, count: resources.gpu_count * resources.replicas },
      estimated_cost_per_hour: formatUsd(hourlyCostMicros(resources, prices)),
    },
  };
}

/** The plan with its components replaced by `planned` (same ids), totals and capacity recomputed. */
export function replanTotals(
  plan: DeploymentPlan,
  planned: ReadonlyMap<string, PlannedComponent>,
  context: ResolveContext,
): DeploymentPlan {
  const gpus: Record<string, number> = {};
  let micros = 0;
  const waves = plan.waves.map((w) => ({
    wave: w.wave,
    components: w.components.map((c) => {
      const component = planned.get(c.id) ?? c;
      if (component.gpu.type && component.gpu.count > 0) gpus[component.gpu.type] = (gpus[component.gpu.type] ?? 0) + component.gpu.count;
      micros += parseUsdMicros(component.estimated_cost_per_hour);
      return component;
    }),
  }));
  return {
    ...plan,
    waves,
    total: { ...plan.total, gpus, estimated_cost_per_hour: formatUsd(micros) },
    capacity: capacityVerdict(gpus, context.cluster.gpu_free),
  };
}
