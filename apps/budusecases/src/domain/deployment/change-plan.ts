import type {
  ChangeAction,
  ChangePlan,
  ComponentChange,
  ComponentChangePlan,
  ComponentDefinition,
  CreateJobRequest,
  FieldChange,
  GpuInventory,
  JobOutputs,
  PlannedComponent,
  PriceTable,
  RestartCause,
  VolumeResponse,
} from '@bud/contracts';
import { formatUsd } from '@bud/workloads';
import { canonicalJson } from '../document-checks';
import type { ResolveContext } from '../resolver';
import { capacityVerdict, completeJob } from '../resolver';
import { fieldChanges, secretPaths } from './change-plan-fields';
import { addGpus, componentHourlyMicros, gpusOf } from './change-plan-money';
import { predictedJobOutputs, predictedOutputs } from './change-plan-outputs';
import { volumesAtRisk } from './change-plan-volumes';

/** A live component of the deployment as recorded now. */
export interface CurrentComponent {
  id: string;
  componentRef: string;
  wave: number;
  /** The recorded plan, the deployment's stored overrides applied to `job.resources`. */
  planned: PlannedComponent;
  definition: ComponentDefinition;
  jobOutputs: JobOutputs;
  outputs: Record<string, unknown>;
  /** Its job runs now: it costs money and holds GPUs. */
  running: boolean;
}

export interface ChangePlanInput {
  action: ChangeAction;
  deploymentId: string;
  templateVersionBefore: string;
  templateVersionAfter: string;
  context: ResolveContext;
  /** The deployment's parameters now and after the change, secrets in the clear (they never reach the plan). */
  parametersBefore: Readonly<Record<string, unknown>>;
  parametersAfter: Readonly<Record<string, unknown>>;
  current: readonly CurrentComponent[];
  /**
   * Every component the deployment runs after the change (overrides applied); null for a stop or delete, which removes
   * every component; 'as-is' for one that changes nothing (the deployment is already stopped or being deleted).
   */
  next: ReadonlyMap<string, PlannedComponent> | null | 'as-is';
  /** The active registry's definitions by component_ref: what an update stores, so what renders outputs after it. */
  registry?: ReadonlyMap<string, ComponentDefinition>;
  prices: PriceTable;
  gpuFree: GpuInventory;
  /** budcluster's volumes of the deployment (none listed: the planned jobs' claims stand in). */
  volumes: readonly VolumeResponse[];
  keepData: boolean;
}

type Outputs = Record<string, Record<string, unknown>>;

interface Side {
  parameters: Readonly<Record<string, unknown>>;
  outputs: Outputs;
}

function completed(component: PlannedComponent, side: Side, context: ResolveContext): CreateJobRequest | null {
  const result = completeJob(component, { parameters: side.parameters, context, outputs: side.outputs });
  return result.ok ? result.value : null;
}

function changeOf(fields: readonly FieldChange[]): ComponentChange {
  if (fields.length === 0) return 'unchanged';
  return fields.every((f) => f.path === 'resources.replicas') ? 'scale' : 'rolling';
}

/** The outputs each component of the new plan would publish, and which of the running ones would change. */
function outputsAfter(
  input: Pick<ChangePlanInput, 'current' | 'registry' | 'context'>,
  next: ReadonlyMap<string, PlannedComponent>,
): Outputs {
  const current = new Map(input.current.map((c) => [c.id, c]));
  const outputs: Outputs = {};
  for (const [id, planned] of next) {
    const recorded = current.get(id);
    // As the apply stores it: the registry's definition, else the recorded one.
    const definition =
      input.registry?.get(planned.component_ref) ?? (recorded?.componentRef === planned.component_ref ? recorded.definition : undefined);
    // Outputs recorded without the job outputs they came from are kept: there is nothing to predict them from.
    const unknownSource = recorded !== undefined && !recorded.jobOutputs.host && Object.keys(recorded.outputs).length > 0;
    const jobOutputs = predictedJobOutputs(planned.job, recorded?.jobOutputs ?? {}, input.context.deployment.namespace);
    outputs[id] =
      definition && !unknownSource ? predictedOutputs(definition, jobOutputs, recorded?.outputs ?? {}) : (recorded?.outputs ?? {});
  }
  return outputs;
}

const jobKey = (job: CreateJobRequest): string => canonicalJson({ spec: job.spec, resources: job.resources });

/** The job with one dependency output set to `value`, or null when it cannot be rendered. */
function withOutput(
  component: PlannedComponent,
  side: Side,
  dependency: string,
  output: string,
  value: unknown,
  context: ResolveContext,
): string | null {
  const outputs = { ...side.outputs, [dependency]: { ...side.outputs[dependency], [output]: value } };
  const job = completed(component, { ...side, outputs }, context);
  return job ? jobKey(job) : null;
}

const PROBE = '\u0000bud-preview-probe';

/**
 * Which outputs of its dependencies restart a rolling component: an output a dependency publishes now and would
 * publish differently (or not at all, the dependency removed) whose value the component's job is made from — for a
 * kept dependency, its old value alone would give a different job; for a removed one, the old job reads it.
 */
function restartCauses(
  was: CurrentComponent,
  will: PlannedComponent,
  from: CreateJobRequest,
  to: CreateJobRequest,
  sides: { before: Side; after: Side },
  context: ResolveContext,
): RestartCause[] {
  const causes: RestartCause[] = [];
  const dependencies = [...new Set([...was.planned.depends_on, ...will.depends_on])].sort();
  for (const dependency of dependencies) {
    const kept = sides.after.outputs[dependency] !== undefined;
    for (const [output, value] of Object.entries(sides.before.outputs[dependency] ?? {})) {
      if (kept && canonicalJson(value) === canonicalJson(sides.after.outputs[dependency]?.[output])) continue;
      const probed = kept
        ? withOutput(will, sides.after, dependency, output, value, context)
        : withOutput(was.planned, sides.before, dependency, output, PROBE, context);
      if (probed !== null && probed !== jobKey(kept ? to : from))
        causes.push({ component: will.id, because_of: { component: dependency, output } });
    }
  }
  return causes;
}

/** The dry run of a change to a deployment (docs/design.md#change-preview): nothing here has effects. */
export function planChange(input: ChangePlanInput): ChangePlan {
  if (input.next === 'as-is') return unchangedPlan(input);
  const { context } = input;
  const next = input.next;
  const before: Side = {
    parameters: input.parametersBefore,
    outputs: Object.fromEntries(input.current.map((c) => [c.id, c.outputs])),
  };
  const after: Side = { parameters: input.parametersAfter, outputs: next ? outputsAfter(input, next) : {} };
  const current = new Map(input.current.map((c) => [c.id, c]));
  const ids = [...new Set([...current.keys(), ...(next?.keys() ?? [])])];
  const waveOf = (id: string): number => next?.get(id)?.wave ?? current.get(id)?.wave ?? 0;
  ids.sort((a, b) => waveOf(a) - waveOf(b) || a.localeCompare(b));

  const components: ComponentChangePlan[] = [];
  const blastRadius: RestartCause[] = [];
  const removed = new Set<string>();
  const gpusBefore: Record<string, number> = {};
  const gpusAfter: Record<string, number> = {};
  let costBefore = 0;
  let costAfter = 0;
  for (const id of ids) {
    const was = current.get(id);
    const will = next?.get(id);
    const hourlyBefore = was?.running ? componentHourlyMicros(was.planned, was.planned.job.resources, input.prices) : 0;
    const hourlyAfter = will ? componentHourlyMicros(will, will.job.resources, input.prices) : 0;
    if (was?.running) addGpus(gpusBefore, gpusOf(was.planned.job.resources));
    if (will) addGpus(gpusAfter, gpusOf(will.job.resources));
    costBefore += hourlyBefore;
    costAfter += hourlyAfter;
    let change: ComponentChange;
    let fields: FieldChange[] = [];
    if (!will) {
      change = 'remove';
      removed.add(id);
    } else if (!was) change = 'add';
    else {
      const from = completed(was.planned, before, context);
      const to = completed(will, after, context);
      // A job that cannot be rendered yet (a dependency has not published its outputs) is compared as planned.
      fields =
        from && to
          ? fieldChanges(from, to, secretPaths(was.planned, will))
          : fieldChanges(was.planned.job, will.job, secretPaths(was.planned, will));
      change = changeOf(fields);
      if (change === 'rolling' && from && to) blastRadius.push(...restartCauses(was, will, from, to, { before, after }, context));
    }
    components.push({
      id,
      component_ref: will?.component_ref ?? was?.componentRef ?? '',
      change,
      fields,
      estimated_cost_per_hour_before: formatUsd(hourlyBefore),
      estimated_cost_per_hour_after: formatUsd(hourlyAfter),
    });
  }

  const addedDemand = Object.fromEntries(
    Object.entries(gpusAfter).map(([type, count]) => [type, Math.max(0, count - (gpusBefore[type] ?? 0))]),
  );
  const destroys =
    input.action === 'delete'
      ? input.keepData
        ? new Set<string>()
        : new Set(current.keys())
      : input.action === 'stop'
        ? new Set<string>()
        : removed;
  const dataAtRisk = volumesAtRisk(destroys, {
    listed: input.volumes,
    jobs: new Map(input.current.map((c) => [c.id, c.planned.job])),
    storagePricePerGibMonth: input.prices.storage_gib_month,
  });
  return {
    action: input.action,
    deployment_id: input.deploymentId,
    template_version_before: input.templateVersionBefore,
    template_version_after: input.templateVersionAfter,
    components,
    blast_radius: blastRadius,
    cost: {
      before_per_hour: formatUsd(costBefore),
      after_per_hour: formatUsd(costAfter),
      difference_per_hour: formatUsd(costAfter - costBefore),
      gpus_before: gpusBefore,
      gpus_after: gpusAfter,
    },
    capacity: capacityVerdict(addedDemand, input.gpuFree),
    data_at_risk: dataAtRisk,
  };
}

/** A change that changes nothing: every component as it is, the cost and GPUs too, nothing at risk. */
function unchangedPlan(input: ChangePlanInput): ChangePlan {
  const gpus: Record<string, number> = {};
  let micros = 0;
  const components = [...input.current]
    .sort((a, b) => a.wave - b.wave || a.id.localeCompare(b.id))
    .map((c): ComponentChangePlan => {
      const hourly = c.running ? componentHourlyMicros(c.planned, c.planned.job.resources, input.prices) : 0;
      if (c.running) addGpus(gpus, gpusOf(c.planned.job.resources));
      micros += hourly;
      const cost = formatUsd(hourly);
      return {
        id: c.id,
        component_ref: c.componentRef,
        change: 'unchanged',
        fields: [],
        estimated_cost_per_hour_before: cost,
        estimated_cost_per_hour_after: cost,
      };
    });
  return {
    action: input.action,
    deployment_id: input.deploymentId,
    template_version_before: input.templateVersionBefore,
    template_version_after: input.templateVersionAfter,
    components,
    blast_radius: [],
    cost: {
      before_per_hour: formatUsd(micros),
      after_per_hour: formatUsd(micros),
      difference_per_hour: formatUsd(0),
      gpus_before: gpus,
      gpus_after: { ...gpus },
    },
    capacity: capacityVerdict({}, input.gpuFree),
    data_at_risk: [],
  };
}
