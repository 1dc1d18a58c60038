import type { ComponentDefinition, DeploymentPlan, PlannedComponent, TemplateDocument } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import type { Scope } from '../expressions';
import { ExpressionError, evaluate, isTruthy } from '../expressions';
import type { AnalyzedComponent } from './analyze-template';
import { analyzeTemplate, expressionDetail } from './analyze-template';
import { capacityVerdict } from './capacity';
import type { CheckedComponent, ModelCatalog } from './contract-checks';
import { checkContracts } from './contract-checks';
import { formatUsd } from '@bud/workloads';
import { topologicalWaves } from './dag';
import { maskSecrets, resolveParameters } from './parameters';
import { planComponent } from './plan-component';
import type { ClusterContext, Registry, ResolveContext, ResolveResult } from './types';

export interface ResolveInput {
  template: TemplateDocument;
  registry: Registry;
  parameters: Readonly<Record<string, unknown>>;
  context: ResolveContext;
  /** The model catalog (templates/models): with it the typed contract checks run; without, they are skipped. */
  models?: ModelCatalog;
}

function defaultGpuType(cluster: ClusterContext): string | null {
  if (cluster.default_gpu_type) return cluster.default_gpu_type;
  const [best] = Object.entries(cluster.gpu_inventory).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return best ? best[0] : null;
}

/** The scope expressions see while planning; component outputs are absent (they are deferred). */
export function planningScope(parameters: Record<string, unknown>, secrets: ReadonlySet<string>, context: ResolveContext): Scope {
  const visible: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) if (!secrets.has(name)) visible[name] = value;
  const { cluster, deployment } = context;
  return {
    parameters: visible,
    components: {},
    deployment: { id: deployment.id, name: deployment.name, namespace: deployment.namespace },
    cluster: {
      id: cluster.id,
      name: cluster.name,
      type: cluster.type,
      ingress_url: cluster.ingress_url,
      default_gpu_type: defaultGpuType(cluster),
    },
  };
}

function isEnabled(component: AnalyzedComponent, scope: Scope, errors: ErrorDetail[]): boolean {
  const { condition } = component;
  if (condition === undefined || typeof condition === 'boolean') return condition ?? true;
  try {
    return isTruthy(evaluate(condition, scope, `components[${component.index}].condition`));
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    errors.push(expressionDetail(error));
    return false;
  }
}

/**
 * Template + registry + user parameters + cluster → the deployment plan of docs/design.md#deployments, or every problem
 * (422 details with paths). Pure: no I/O; strings that need dependency outputs or secrets stay as `{{ }}`
 * in `job` and are listed in `pending` for `completeJob` at deploy time.
 */
export function resolveTemplate(input: ResolveInput): ResolveResult {
  const { template, registry, context } = input;
  const params = resolveParameters(template.parameters, input.parameters);
  const analysis = analyzeTemplate(template, registry);
  const errors = [...params.errors, ...analysis.errors];
  if (errors.length > 0) return { ok: false, errors };

  const scope = planningScope(params.values, params.secrets, context);
  const active = analysis.components.filter((c) => isEnabled(c, scope, errors));
  const deployed = new Set(active.map((c) => c.spec.id));
  const skipped = analysis.components.filter((c) => !deployed.has(c.spec.id));
  const graph = new Map(active.map((c) => [c.spec.id, new Map([...c.dependsOn].filter(([dep]) => deployed.has(dep)))]));
  const waves = topologicalWaves([...deployed], graph);
  if (!waves.ok) return { ok: false, errors: [...errors, waves.error] };

  const planned: DeploymentPlan['waves'] = [];
  const checked: CheckedComponent[] = [];
  const gpus: Record<string, number> = {};
  let totalMicros = 0;
  const clusterDefault = scope['cluster'] as { default_gpu_type: string | null };
  const planContext = { ...context, cluster: { ...context.cluster, default_gpu_type: clusterDefault.default_gpu_type ?? undefined } };
  waves.waves.forEach((ids, wave) => {
    const components: PlannedComponent[] = ids.map((id) => {
      const analyzed = analysis.byId.get(id) as AnalyzedComponent & { definition: ComponentDefinition };
      const dependsOn = [...(graph.get(id)?.keys() ?? [])].sort();
      const component = planComponent({
        analyzed,
        template,
        context: planContext,
        scope,
        deployed,
        secrets: params.secrets,
        wave,
        dependsOn,
        errors,
      });
      checked.push({ analyzed, planned: component });
      if (component.gpu.type && component.gpu.count > 0) gpus[component.gpu.type] = (gpus[component.gpu.type] ?? 0) + component.gpu.count;
      totalMicros += Math.round(Number(component.estimated_cost_per_hour) * 1_000_000);
      return component;
    });
    planned.push({ wave, components });
  });
  if (errors.length > 0) return { ok: false, errors };
  const contracts = input.models
    ? checkContracts({ components: checked, models: input.models, clusterGpuTypes: Object.keys(context.cluster.gpu_inventory) })
    : null;
  if (contracts && contracts.errors.length > 0) return { ok: false, errors: contracts.errors };

  return {
    ok: true,
    plan: {
      template_id: template.id,
      template_version: template.version,
      parameters: maskSecrets(params.values, params.secrets),
      waves: planned,
      skipped: skipped.map((c) => ({ id: c.spec.id, component_ref: c.spec.component_ref, reason: 'condition is false' })),
      total: { components: deployed.size, gpus, estimated_cost_per_hour: formatUsd(totalMicros) },
      capacity: capacityVerdict(gpus, context.cluster.gpu_free),
      ...(contracts && contracts.checks.length > 0 ? { checks: contracts.checks } : {}),
      ...(contracts && contracts.warnings.length > 0 ? { warnings: contracts.warnings } : {}),
    },
  };
}
