import type {
  ComponentDefinition,
  CreateJobRequest,
  DeploymentPlan,
  PlannedComponent,
  TemplateDocumentInput,
  VolumeResponse,
} from '@bud/contracts';
import { SECRET_MASK, changePlanSchema } from '@bud/contracts';
import type { Registry } from '../resolver';
import { resolveTemplate } from '../resolver';
import { makeComponent, makeContext, makeRegistry, makeTemplate } from '../../../test/support/resolver-fixtures';
import type { ChangePlanInput, CurrentComponent } from './change-plan';
import { planChange } from './change-plan';
import { fieldChanges, secretPaths } from './change-plan-fields';
import { UNKNOWN_JOB_ID, predictedJobOutputs, predictedOutputs } from './change-plan-outputs';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const context = makeContext();
const base = makeTemplate();

// A helm store whose service port is a parameter, so its `url` output can change; a cache with a data volume.
const registry: Registry = makeRegistry([
  makeComponent({
    id: 'store',
    category: 'vector_db',
    deployment_type: 'helm',
    image: undefined,
    image_tag: undefined,
    helm_repo: 'https://charts.example.com',
    helm_chart: 'store',
    default_values: { service: { port: 6333 } },
    outputs: { url: '{{ url }}' },
  }),
  makeComponent({ id: 'kv', category: 'cache', default_resources: { cpu_request: '1', memory_request: '1Gi', storage: '20Gi' } }),
]);

const template: Partial<TemplateDocumentInput> = {
  parameters: [
    ...base.parameters,
    { name: 'log_level', type: 'string', default: 'info', required: false },
    { name: 'store_port', type: 'integer', default: 6333, min: 1, max: 65535, required: false },
    { name: 'with_cache', type: 'boolean', default: true, required: false },
    { name: 'with_llm', type: 'boolean', default: true, required: false },
  ],
  components: [
    {
      id: 'store',
      component_ref: 'store',
      config: { service: { port: '{{ parameters.store_port }}' } },
    },
    { ...base.components[1], condition: 'parameters.with_llm', resources: { storage: '200Gi' } },
    { id: 'cache', component_ref: 'kv', condition: 'parameters.with_cache' },
    {
      id: 'api',
      component_ref: 'app',
      env: {
        STORE: '{{ components.store.outputs.url }}',
        LLM: "{{ components.llm.outputs.openai_base_url | default('none') }}",
        LOG_LEVEL: '{{ parameters.log_level }}',
        API_KEY: '{{ parameters.api_key }}',
      },
    },
  ],
};

function plan(parameters: Record<string, unknown>): DeploymentPlan {
  const result = resolveTemplate({ template: makeTemplate(template), registry, parameters: { model_id: MODEL, ...parameters }, context });
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
  return result.plan;
}

const plannedOf = (p: DeploymentPlan): Map<string, PlannedComponent> => new Map(p.waves.flatMap((w) => w.components.map((c) => [c.id, c])));

/** What a deployment of `p` records once every component runs: budcluster's job outputs and the rendered outputs. */
function running(p: DeploymentPlan): CurrentComponent[] {
  return [...plannedOf(p).values()].map((planned) => {
    const definition = registry.get(planned.component_ref) as ComponentDefinition;
    // As budcluster reports a running job: its Service is named after the job's id (docs/design.md#object-names).
    const namespace = planned.job.k8s_namespace ?? context.deployment.namespace;
    const host = `${planned.job.name}-0b6f7f5e.${namespace}.svc.cluster.local`;
    const reported = { service: `${planned.job.name}-0b6f7f5e`, namespace, host };
    const jobOutputs = predictedJobOutputs(planned.job, reported, context.deployment.namespace);
    return {
      id: planned.id,
      componentRef: planned.component_ref,
      wave: planned.wave,
      planned,
      definition,
      jobOutputs,
      outputs: predictedOutputs(definition, jobOutputs, {}),
      running: true,
    };
  });
}

const secrets = { api_key: 'sk-old-value' };

function scaled(p: DeploymentPlan, id: string, resources: Partial<PlannedComponent['resources']>): Map<string, PlannedComponent> {
  const next = plannedOf(p);
  const c = next.get(id)!;
  next.set(id, { ...c, job: { ...c.job, resources: { ...c.job.resources, ...resources } } });
  return next;
}

function change(
  action: ChangePlanInput['action'],
  parametersBefore: Record<string, unknown>,
  next: ((before: DeploymentPlan) => Map<string, PlannedComponent>) | Record<string, unknown> | null,
  extra: Partial<ChangePlanInput> = {},
): ReturnType<typeof planChange> {
  const before = plan(parametersBefore);
  const after = next === null ? null : typeof next === 'function' ? next(before) : plannedOf(plan(next));
  const parametersAfter = typeof next === 'object' && next !== null ? next : parametersBefore;
  const result = planChange({
    action,
    deploymentId: context.deployment.id,
    templateVersionBefore: '1.0.0',
    templateVersionAfter: '1.0.0',
    context,
    parametersBefore: { model_id: MODEL, ...parametersBefore },
    parametersAfter: { model_id: MODEL, ...parametersAfter },
    current: running(before),
    next: after,
    registry,
    prices: context.cluster.price_table,
    gpuFree: { 'A100-80GB': 2 },
    volumes: [],
    keepData: false,
    ...extra,
  });
  expect(changePlanSchema.parse(result)).toEqual(result);
  return result;
}

const changeOf = (plan: ReturnType<typeof planChange>): Record<string, string> =>
  Object.fromEntries(plan.components.map((c) => [c.id, c.change]));

function volume(component: string, volumeName: string, size: string, status: VolumeResponse['status'] = 'attached'): VolumeResponse {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    cluster_id: context.cluster.id,
    tenant_id: '00000000-0000-4000-8000-000000000002',
    namespace: context.deployment.namespace,
    claim_name: `${component}-${volumeName}`,
    volume_name: volumeName,
    job_name: component,
    job_id: null,
    usecase_deployment_id: context.deployment.id,
    component,
    size,
    status,
    estimated_cost_per_month: '0',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    age_seconds: 0,
  };
}

describe('planChange: what a change to a deployment would do, per component', () => {
  const p0 = { ...secrets };
  it.each<[string, ChangePlanInput['action'], Parameters<typeof change>[2], Record<string, string>]>([
    [
      'nothing asked: every component unchanged',
      'update',
      { ...p0 },
      { store: 'unchanged', llm: 'unchanged', cache: 'unchanged', api: 'unchanged' },
    ],
    [
      'an env parameter: its component rolls',
      'update',
      { ...p0, log_level: 'debug' },
      { store: 'unchanged', llm: 'unchanged', cache: 'unchanged', api: 'rolling' },
    ],
    [
      'replicas only: scale',
      'scale',
      (b) => scaled(b, 'api', { replicas: 3 }),
      { store: 'unchanged', llm: 'unchanged', cache: 'unchanged', api: 'scale' },
    ],
    [
      'cpu: rolling',
      'scale',
      (b) => scaled(b, 'api', { cpu_request: '2' }),
      { store: 'unchanged', llm: 'unchanged', cache: 'unchanged', api: 'rolling' },
    ],
    [
      'a condition turns false: remove',
      'update',
      { ...p0, with_cache: false },
      { store: 'unchanged', llm: 'unchanged', cache: 'remove', api: 'unchanged' },
    ],
    ['stop: every component removed', 'stop', null, { store: 'remove', llm: 'remove', cache: 'remove', api: 'remove' }],
    ['delete: every component removed', 'delete', null, { store: 'remove', llm: 'remove', cache: 'remove', api: 'remove' }],
  ])('%s', (_name, action, next, expected) => {
    expect(changeOf(change(action, { ...p0 }, next))).toEqual(expected);
  });

  it('adds a component a condition turns on, and its dependent rolls for the new reference', () => {
    const plan = change('update', { ...p0, with_llm: false }, { ...p0, with_llm: true });
    expect(changeOf(plan)).toMatchObject({ llm: 'add', api: 'rolling' });
    expect(plan.components.find((c) => c.id === 'api')?.fields).toEqual([
      { path: 'spec.env.LLM', from: 'none', to: `http://llm-<job-id>.${context.deployment.namespace}.svc.cluster.local:8000/v1` },
    ]);
    expect(plan.blast_radius).toEqual([]);
    expect(plan.cost.gpus_before).toEqual({});
    expect(plan.cost.gpus_after).toEqual({ 'A100-80GB': 2 });
  });

  it('a stop of a stopped deployment changes nothing: every component as it is, no cost moves', () => {
    const plan = change('stop', { ...p0 }, null, { next: 'as-is' });
    expect(new Set(Object.values(changeOf(plan)))).toEqual(new Set(['unchanged']));
    expect(plan.cost.difference_per_hour).toBe('0.000000');
    expect(plan.data_at_risk).toEqual([]);
  });

  it('names the env path that changes, with its old and new value', () => {
    const api = change('update', { ...p0 }, { ...p0, log_level: 'debug' }).components.find((c) => c.id === 'api');
    expect(api?.fields).toEqual([{ path: 'spec.env.LOG_LEVEL', from: 'info', to: 'debug' }]);
  });

  it('names resources.replicas for a scale', () => {
    const api = change('scale', { ...p0 }, (b) => scaled(b, 'api', { replicas: 3 })).components.find((c) => c.id === 'api');
    expect(api?.fields).toEqual([{ path: 'resources.replicas', from: 1, to: 3 }]);
  });

  it('never shows a secret: a changed secret parameter is listed masked', () => {
    const plan = change('update', { ...p0 }, { api_key: 'sk-new-value' });
    expect(plan.components.find((c) => c.id === 'api')).toMatchObject({
      change: 'rolling',
      fields: [{ path: 'spec.secret_env.API_KEY', from: SECRET_MASK, to: SECRET_MASK }],
    });
    expect(JSON.stringify(plan)).not.toMatch(/sk-(old|new)-value/);
  });

  it('masks a whole object that holds a secret when it appears or goes', () => {
    const api = plannedOf(plan(p0)).get('api')!;
    const withSpec = (extra: Record<string, unknown>): CreateJobRequest => ({ ...api.job, spec: { ...api.job.spec, ...extra } });
    expect(secretPaths(api)).toEqual(['spec.env.API_KEY']);
    expect(fieldChanges(withSpec({}), withSpec({ secret_env: { API_KEY: 'sk-x' } }), [])).toEqual([
      { path: 'spec.secret_env', from: null, to: SECRET_MASK },
    ]);
    const paths = ['spec.values.auth.password'];
    expect(fieldChanges(withSpec({ values: {} }), withSpec({ values: { auth: { password: 'sk-x' } } }), paths)).toEqual([
      { path: 'spec.values.auth', from: null, to: SECRET_MASK },
    ]);
  });

  it('restarts the dependents of a component whose output changes, naming the output', () => {
    const plan = change('update', { ...p0 }, { ...p0, store_port: 7000 });
    expect(changeOf(plan)).toMatchObject({ store: 'rolling', api: 'rolling' });
    expect(plan.components.find((c) => c.id === 'store')?.fields).toEqual([{ path: 'spec.values.service.port', from: 6333, to: 7000 }]);
    expect(plan.blast_radius).toEqual([{ component: 'api', because_of: { component: 'store', output: 'url' } }]);
    expect(plan.components.find((c) => c.id === 'api')?.fields).toEqual([
      {
        path: 'spec.env.STORE',
        from: `http://store-0b6f7f5e.${context.deployment.namespace}.svc.cluster.local:6333`,
        to: `http://store-0b6f7f5e.${context.deployment.namespace}.svc.cluster.local:7000`,
      },
    ]);
  });

  it('restarts the dependents of a component the change removes, naming the output they read', () => {
    const plan = change('update', { ...p0 }, { ...p0, with_llm: false });
    expect(changeOf(plan)).toMatchObject({ llm: 'remove', api: 'rolling' });
    expect(plan.blast_radius).toEqual([{ component: 'api', because_of: { component: 'llm', output: 'openai_base_url' } }]);
  });

  it('does not put a component that changes on its own in the blast radius', () => {
    expect(change('update', { ...p0 }, { ...p0, log_level: 'debug' }).blast_radius).toEqual([]);
  });
});

describe('planChange: cost, GPUs and capacity', () => {
  const p0 = { ...secrets };

  it('prices before and after in exact decimals, the difference negative on a scale-down', () => {
    const plan = change('scale', { ...p0 }, (b) => scaled(b, 'api', { replicas: 3 }));
    const down = change('scale', { ...p0 }, (b) => plannedOf(b), { current: running(plan3()) });
    // api: 500m × $0.04 + 0.5 GiB × $0.005 = $0.0225 per replica and hour.
    expect(plan.components.find((c) => c.id === 'api')).toMatchObject({
      estimated_cost_per_hour_before: '0.022500',
      estimated_cost_per_hour_after: '0.067500',
    });
    expect(plan.cost.difference_per_hour).toBe('0.045000');
    expect(down.cost.difference_per_hour).toBe('-0.045000');
    expect(down.cost.before_per_hour).toBe(plan.cost.after_per_hour);
  });

  function plan3(): DeploymentPlan {
    const p = plan(secrets);
    return { ...p, waves: p.waves.map((w) => ({ ...w, components: w.components.map((c) => (c.id === 'api' ? withReplicas(c, 3) : c)) })) };
  }
  const withReplicas = (c: PlannedComponent, replicas: number): PlannedComponent => ({
    ...c,
    job: { ...c.job, resources: { ...c.job.resources, replicas } },
  });

  it('counts GPUs before and after, and judges capacity on the demand the change adds', () => {
    const plan = change('scale', { ...p0 }, (b) => scaled(b, 'llm', { replicas: 3 }));
    expect(plan.cost.gpus_before).toEqual({ 'A100-80GB': 2 });
    expect(plan.cost.gpus_after).toEqual({ 'A100-80GB': 6 });
    expect(plan.capacity).toMatchObject({ admits: false, gpus: [{ gpu_type: 'A100-80GB', requested: 4, free: 2, sufficient: false }] });
    expect(change('update', { ...p0 }, { ...p0, log_level: 'debug' }).capacity).toMatchObject({ admits: true, message: 'needs no GPUs' });
  });

  it('stop and delete cost nothing after and need no capacity', () => {
    const plan = change('stop', { ...p0 }, null);
    expect(plan.cost.after_per_hour).toBe('0.000000');
    expect(plan.cost.difference_per_hour).toBe(`-${plan.cost.before_per_hour}`);
    expect(plan.cost.gpus_after).toEqual({});
    expect(plan.capacity.admits).toBe(true);
  });
});

describe('planChange: data at risk', () => {
  const p0 = { ...secrets };
  const listed = [
    volume('cache', 'bud-data', '20Gi'),
    volume('api', 'scratch', '512Mi', 'detached'),
    volume('old', 'bud-data', '1Gi', 'retained'),
  ];

  it.each<[string, ChangePlanInput['action'], Parameters<typeof change>[2], Partial<ChangePlanInput>, string[]]>([
    ['stop keeps every volume', 'stop', null, { volumes: listed }, []],
    [
      'delete destroys the deployment’s attached and detached volumes',
      'delete',
      null,
      { volumes: listed },
      ['api-scratch', 'cache-bud-data'],
    ],
    ['delete with keep_data destroys none', 'delete', null, { volumes: listed, keepData: true }, []],
    [
      'an update destroys the volumes of the components it removes',
      'update',
      { ...p0, with_cache: false },
      { volumes: listed },
      ['cache-bud-data'],
    ],
    ['an update that removes nothing destroys none', 'update', { ...p0, log_level: 'x' }, { volumes: listed }, []],
    ['with none listed yet, the planned claims stand in (a model its cache)', 'delete', null, {}, ['cache-data', 'llm-model-cache']],
  ])('%s', (_name, action, next, extra, claims) => {
    expect(change(action, { ...p0 }, next, extra).data_at_risk.map((v) => v.claim_name)).toEqual(claims);
  });

  it('prices a volume per month: size GiB × the storage price, exactly', () => {
    const atRisk = change('delete', { ...p0 }, null, { volumes: listed }).data_at_risk;
    expect(atRisk).toEqual([
      { component: 'api', volume: 'scratch', claim_name: 'api-scratch', size: '512Mi', estimated_cost_per_month: '0.050000' },
      { component: 'cache', volume: 'bud-data', claim_name: 'cache-bud-data', size: '20Gi', estimated_cost_per_month: '2.000000' },
    ]);
    expect(change('delete', { ...p0 }, null).data_at_risk).toEqual([
      { component: 'cache', volume: 'data', claim_name: 'cache-data', size: '20Gi', estimated_cost_per_month: '2.000000' },
      { component: 'llm', volume: 'model-cache', claim_name: 'llm-model-cache', size: '200Gi', estimated_cost_per_month: '20.000000' },
    ]);
  });
});

describe('predictedJobOutputs', () => {
  const service = (overrides: Partial<CreateJobRequest>): CreateJobRequest =>
    ({
      name: 'llm',
      job_type: 'service',
      spec: { kind: 'container', image: 'ghcr.io/acme/api:1', env: {}, ports: [{ port: 8080, protocol: 'TCP' }] },
      resources: { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 },
      ...overrides,
    }) as CreateJobRequest;

  it('does not invent the host of a job yet to be created: its id stands as <job-id>', () => {
    expect(predictedJobOutputs(service({}), {}, 'ns')).toEqual({
      service: `llm-${UNKNOWN_JOB_ID}`,
      namespace: 'ns',
      host: `llm-${UNKNOWN_JOB_ID}.ns.svc.cluster.local`,
      port: 8080,
      url: `http://llm-${UNKNOWN_JOB_ID}.ns.svc.cluster.local:8080`,
    });
    expect(predictedJobOutputs(service({ name: '7b' }), {}, 'ns').service).toBe(`j-7b-${UNKNOWN_JOB_ID}`);
  });

  it('gives a helm release_name in full: budcluster keeps it', () => {
    const helm = service({ spec: { kind: 'helm', chart_ref: 'charts/redis', release_name: 'redis-main', values: {} } });
    expect(predictedJobOutputs(helm, {}, 'ns')).toEqual({
      service: 'redis-main',
      namespace: 'ns',
      host: 'redis-main.ns.svc.cluster.local',
    });
  });

  it('keeps what a running job reports, moving only the port', () => {
    const reported = { service: 'llm-1a2b3c4d', namespace: 'ns', host: 'llm-1a2b3c4d.ns.svc.cluster.local', port: 9000 };
    expect(predictedJobOutputs(service({}), reported, 'ns')).toEqual({
      service: 'llm-1a2b3c4d',
      namespace: 'ns',
      host: 'llm-1a2b3c4d.ns.svc.cluster.local',
      port: 8080,
      url: 'http://llm-1a2b3c4d.ns.svc.cluster.local:8080',
    });
  });
});
