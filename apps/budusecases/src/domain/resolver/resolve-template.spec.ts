import type { DeploymentPlan, PlannedComponent, TemplateDocumentInput } from '@bud/contracts';
import { createJobRequestSchema, deploymentPlanSchema } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { checkComponentDefinition, completeJob, renderComponentOutputs, resolveTemplate, validateTemplate } from './index';
import { makeComponent, makeContext, makeRegistry, makeTemplate } from '../../../test/support/resolver-fixtures';
import type { ResolveContext } from './types';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

function plan(
  overrides: Partial<TemplateDocumentInput> = {},
  parameters: Record<string, unknown> = { model_id: MODEL },
  context?: ResolveContext,
): DeploymentPlan {
  const result = resolveTemplate({
    template: makeTemplate(overrides),
    registry: makeRegistry(),
    parameters,
    context: context ?? makeContext(),
  });
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
  return result.plan;
}

function errors(overrides: Partial<TemplateDocumentInput> = {}, parameters: Record<string, unknown> = { model_id: MODEL }): ErrorDetail[] {
  const result = resolveTemplate({ template: makeTemplate(overrides), registry: makeRegistry(), parameters, context: makeContext() });
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

function component(p: DeploymentPlan, id: string): PlannedComponent {
  const found = p.waves.flatMap((w) => w.components).find((c) => c.id === id);
  if (!found) throw new Error(`no component ${id}`);
  return found;
}

const base = makeTemplate();
const withComponent = (index: number, patch: Record<string, unknown>): Partial<TemplateDocumentInput> => ({
  components: base.components.map((c, i) => (i === index ? { ...c, ...patch } : c)),
});

describe('resolveTemplate: a valid template becomes a plan', () => {
  it('orders components in waves from their output references', () => {
    const p = plan();
    expect(p.waves.map((w) => w.components.map((c) => c.id))).toEqual([['vector-db', 'llm'], ['api']]);
    expect(component(p, 'api').depends_on).toEqual(['llm', 'vector-db']);
    expect(deploymentPlanSchema.safeParse(p).success).toBe(true);
  });

  it('merges registry defaults under the rendered template config, keeping types', () => {
    const vdb = component(plan({}, { model_id: MODEL, size: '10Gi' }), 'vector-db');
    expect(vdb.config).toEqual({ persistence: { size: '10Gi', storageClass: 'fast' }, replicaCount: 1 });
    expect(vdb.job.spec).toMatchObject({ kind: 'helm', chart_ref: 'https://qdrant.github.io/qdrant-helm/qdrant', chart_version: '1.12.4' });
  });

  it('builds job bodies budcluster accepts, with usecase identity and idempotency key', () => {
    const p = plan();
    for (const c of p.waves.flatMap((w) => w.components)) expect(createJobRequestSchema.safeParse(c.job).success).toBe(true);
    expect(component(p, 'llm').job).toMatchObject({
      name: 'llm',
      source_type: 'usecase',
      usecase_deployment_id: '7b1f0c8e-1234-4000-8000-00000000abcd',
      idempotency_key: 'usecase-7b1f0c8e-1234-4000-8000-00000000abcd-llm',
      k8s_namespace: 'uc-7b1f0c8e1234',
      spec: { kind: 'model', engine: 'vllm', model_id: MODEL },
      resources: { gpu_type: 'A100-80GB', gpu_count: 2, cpu_request: '4', memory_request: '16Gi', replicas: 1 },
    });
  });

  it('prices each component and the total, and sums GPU demand per type', () => {
    const p = plan();
    // 2 × A100 at 2.50 + 4 vCPU at 0.04 + 16 GiB at 0.005
    expect(component(p, 'llm').estimated_cost_per_hour).toBe('5.240000');
    expect(p.total.gpus).toEqual({ 'A100-80GB': 2 });
    expect(p.total.components).toBe(3);
    expect(p.capacity).toMatchObject({ admits: true });
  });

  it('says the cluster cannot admit the plan when free GPUs are short', () => {
    const p = plan({}, { model_id: MODEL }, makeContext({ gpu_free: { 'A100-80GB': 1 } }));
    expect(p.capacity).toEqual({
      admits: false,
      gpus: [{ gpu_type: 'A100-80GB', requested: 2, free: 1, sufficient: false }],
      message: 'needs 2 × A100-80GB but 1 free',
    });
  });

  it('leaves dependency outputs as placeholders and lists them as pending', () => {
    const api = component(plan(), 'api');
    expect(api.env).toEqual({
      LOG_LEVEL: 'info',
      DB: "{{ components['vector-db'].outputs.url }}",
      LLM: '{{ components.llm.outputs.openai_base_url }}/chat',
      NAME: 'demo',
    });
    expect(api.pending).toEqual([
      { path: ['spec', 'env', 'DB'], components: ['vector-db'], secrets: [] },
      { path: ['spec', 'env', 'LLM'], components: ['llm'], secrets: [] },
    ]);
  });

  it("fills the placeholders at deploy time from the dependencies' job outputs", () => {
    const registry = makeRegistry();
    const context = makeContext();
    const api = component(plan(), 'api');
    const llmOutputs = renderComponentOutputs(registry.get('llm-engine')!, { url: 'http://llm.uc-1.svc.cluster.local:8000' });
    const vdbOutputs = renderComponentOutputs(registry.get('vdb')!, { service: 'vector-db', namespace: 'uc-1' });
    expect(llmOutputs).toEqual({
      ok: true,
      value: { url: 'http://llm.uc-1.svc.cluster.local:8000', openai_base_url: 'http://llm.uc-1.svc.cluster.local:8000/v1' },
    });
    if (!llmOutputs.ok || !vdbOutputs.ok) throw new Error('outputs');
    const done = completeJob(api, {
      parameters: { model_id: MODEL },
      context,
      outputs: { llm: llmOutputs.value, 'vector-db': vdbOutputs.value },
    });
    expect(done.ok && done.value.spec.kind === 'container' && done.value.spec.env).toEqual({
      LOG_LEVEL: 'info',
      DB: 'http://vector-db-qdrant.uc-1.svc:6333',
      LLM: 'http://llm.uc-1.svc.cluster.local:8000/v1/chat',
      NAME: 'demo',
    });
    expect(api.job.spec.kind === 'container' && api.job.spec.env['DB']).toContain('{{');
  });

  it('reports a missing dependency output at deploy time with the job path', () => {
    const api = component(plan(), 'api');
    const done = completeJob(api, { parameters: {}, context: makeContext(), outputs: { llm: {} } });
    expect(done.ok ? [] : done.errors.map((e) => e.path)).toEqual(['spec.env.DB', 'spec.env.LLM']);
  });

  it('never shows a secret: masked in parameters, deferred in the job, filled only by completeJob into secret_env', () => {
    const p = plan(withComponent(2, { env: { KEY: 'Bearer {{ parameters.api_key }}' } }), { model_id: MODEL, api_key: 's3cr3t-value' });
    expect(JSON.stringify(p)).not.toContain('s3cr3t-value');
    expect(p.parameters['api_key']).toBe('********');
    const api = component(p, 'api');
    expect(api.pending).toEqual([{ path: ['spec', 'env', 'KEY'], components: [], secrets: ['api_key'] }]);
    const done = completeJob(api, { parameters: { api_key: 's3cr3t-value' }, context: makeContext(), outputs: {} });
    const spec = done.ok && done.value.spec.kind === 'container' ? done.value.spec : undefined;
    expect(spec?.secret_env).toEqual({ KEY: 'Bearer s3cr3t-value' });
    expect(spec?.env).not.toHaveProperty('KEY');
  });

  it('refuses a secret anywhere but an env value, naming the template path', () => {
    const api = base.components[2];
    expect(
      errors(withComponent(2, { config: { ...api.config, args: ['--key', '{{ parameters.api_key }}'] } }), {
        model_id: MODEL,
        api_key: 's3cr3t-value',
      }),
    ).toContainEqual({
      path: 'components[2].config.args[1]',
      message:
        "uses the secret parameter 'api_key': secrets may only be env values or file content (they reach the container through a Kubernetes Secret)",
    });
  });

  it('skips a component whose condition is false and drops it from dependencies', () => {
    const p = plan({
      parameters: [...base.parameters, { name: 'with_db', type: 'boolean', default: false, required: false }],
      components: [
        { ...base.components[0], condition: 'parameters.with_db' },
        base.components[1],
        { ...base.components[2], env: { DB: "{{ components['vector-db'].outputs.url | default('none') }}" } },
      ],
    });
    expect(p.skipped).toEqual([{ id: 'vector-db', component_ref: 'vdb', reason: 'condition is false' }]);
    expect(component(p, 'api').env['DB']).toBe('none');
    expect(component(p, 'api').depends_on).toEqual([]);
  });

  it('keeps braces in a user value from becoming an expression when placeholders are filled', () => {
    const p = plan(
      {
        parameters: [...base.parameters, { name: 'greeting', type: 'string', required: false }],
        components: [
          base.components[0],
          base.components[1],
          { ...base.components[2], env: { X: '{{ parameters.greeting }} {{ components.llm.outputs.url }}' } },
        ],
      },
      { model_id: MODEL, greeting: 'a{{ parameters.api_key }}' },
    );
    const api = component(p, 'api');
    const done = completeJob(api, { parameters: { api_key: 'leak' }, context: makeContext(), outputs: { llm: { url: 'http://llm' } } });
    expect(done.ok && done.value.spec.kind === 'container' && done.value.spec.env['X']).toBe('a{{ parameters.api_key }} http://llm');
  });
});

describe('resolveTemplate: problems are 422 details with the path of the offending string', () => {
  it.each<[string, Partial<TemplateDocumentInput>, Record<string, unknown>, ErrorDetail[]]>([
    [
      'an unknown parameter from the user',
      {},
      { model_id: MODEL, colour: 'red' },
      [{ path: 'parameters.colour', message: 'is not a parameter of this template' }],
    ],
    ['a missing required parameter', {}, {}, [{ path: 'parameters.model_id', message: 'is required' }]],
    [
      'a value outside the options',
      {},
      { model_id: MODEL, size: '1Ti' },
      [{ path: 'parameters.size', message: 'must be one of "10Gi", "50Gi"' }],
    ],
    ['an integer over max', {}, { model_id: MODEL, gpus: 9 }, [{ path: 'parameters.gpus', message: 'must be at most 4' }]],
    ['a fractional integer', {}, { model_id: MODEL, gpus: 1.5 }, [{ path: 'parameters.gpus', message: 'must be an integer' }]],
    [
      'a secret of the wrong type, without echoing it',
      {},
      { model_id: MODEL, api_key: 42 },
      [{ path: 'parameters.api_key', message: 'must be a string' }],
    ],
    [
      'a reference to an undeclared parameter',
      withComponent(2, { env: { X: 'a{{ parameters.nope }}' } }),
      { model_id: MODEL },
      [{ path: 'components[2].env.X', message: 'parameters.nope is not a parameter of this template (column 5)' }],
    ],
    [
      'an unknown output key',
      withComponent(2, { env: { X: '{{ components.llm.outputs.grpc }}' } }),
      { model_id: MODEL },
      [{ path: 'components[2].env.X', message: "component 'llm' has no output 'grpc' (it has url, openai_base_url) (column 4)" }],
    ],
    [
      'an unknown component in a reference',
      withComponent(2, { env: { X: '{{ components.ghost.outputs.url }}' } }),
      { model_id: MODEL },
      [{ path: 'components[2].env.X', message: 'components.ghost names no component of this template (column 4)' }],
    ],
    [
      'an unknown registry component',
      withComponent(1, { component_ref: 'nope' }),
      { model_id: MODEL },
      [{ path: 'components[1].component_ref', message: "names no active registry component ('nope')" }],
    ],
    [
      'an unknown explicit dependency',
      withComponent(0, { depends_on: ['ghost'] }),
      { model_id: MODEL },
      [{ path: 'components[0].depends_on[0]', message: "names no component of this template ('ghost')" }],
    ],
    [
      'a dependency cycle through an output reference',
      withComponent(0, { depends_on: ['api'] }),
      { model_id: MODEL },
      [{ path: 'components[0].depends_on[0]', message: 'forms a dependency cycle: vector-db → api → vector-db' }],
    ],
    [
      'outputs used to size a component',
      withComponent(1, { gpu_count: '{{ components.api.outputs.url }}' }),
      { model_id: MODEL },
      [
        {
          path: 'components[1].gpu_count',
          message: 'outputs of other components are only known at deploy time; they cannot size or gate a component (column 4)',
        },
      ],
    ],
    [
      'a secret in a condition',
      withComponent(2, { condition: 'parameters.api_key' }),
      { model_id: MODEL },
      [
        {
          path: 'components[2].condition',
          message: expect.stringContaining("uses the secret parameter 'api_key': secrets may only be env values"),
        },
      ],
    ],
    [
      'env on a helm component',
      withComponent(0, { env: { A: 'b' } }),
      { model_id: MODEL },
      [{ path: 'components[0].env', message: "'vdb' is a helm component: give its settings as config (chart values)" }],
    ],
    [
      'an unknown setting of a container component',
      withComponent(2, { config: { replicas_please: 3 } }),
      { model_id: MODEL },
      [
        {
          path: 'components[2].config.replicas_please',
          message: 'is not a setting of a docker component (allowed: command, args, data_mount_path)',
        },
      ],
    ],
    [
      'a model component without its required model_id',
      withComponent(1, { model_id: undefined }),
      { model_id: MODEL },
      [{ path: 'components[1]', message: "must supply 'model_id' (required by llm-engine) in env, config or model_id" }],
    ],
    [
      'a malformed expression',
      withComponent(2, { env: { X: 'x {{ parameters.size | upper }}' } }),
      { model_id: MODEL },
      [{ path: 'components[2].env.X', message: "unknown filter 'upper'; only default(<literal>) exists (column 24)" }],
    ],
    [
      'a reference to a skipped component without a default',
      withComponent(0, { condition: false }),
      { model_id: MODEL },
      [
        {
          path: 'components[2].env.DB',
          message: "components['vector-db'].outputs.url has no value (add | default(...) if it may be absent) (column 4)",
        },
      ],
    ],
    [
      'a rendered GPU count that is not an integer',
      withComponent(1, { gpu_count: '{{ parameters.size }}' }),
      { model_id: MODEL },
      [{ path: 'components[1].gpu_count', message: 'must be an integer from 0 to 64' }],
    ],
  ])('reports %s', (_name, overrides, parameters, expected) => {
    expect(errors(overrides, parameters)).toEqual(expected);
  });

  it('reports every problem at once, not just the first', () => {
    const found = errors(
      {
        components: [
          { ...base.components[0], depends_on: ['ghost'] },
          { ...base.components[1], component_ref: 'nope' },
          { ...base.components[2], env: { X: '{{ parameters.nope }}', Y: '{{ ( }}' } },
        ],
      },
      { colour: 1 },
    );
    expect(found.map((e) => e.path)).toEqual([
      'parameters.colour',
      'parameters.model_id',
      'components[0].depends_on[0]',
      'components[1].component_ref',
      'components[2].env.Y',
      'components[2].env.X',
    ]);
  });

  it('refuses a registry component whose outputs read anything but the job outputs', () => {
    expect(checkComponentDefinition(makeComponent({ id: 'odd', outputs: { url: 'http://{{ parameters.x }}', ok: '{{ port }}' } }))).toEqual(
      [{ path: 'outputs.url', message: 'parameters.x is not a job output; use url, host, port, service, namespace (column 11)' }],
    );
  });

  it('validates a whole document: schema problems first, with paths', () => {
    const result = validateTemplate({ ...base, id: 'Bad Id', components: [{ id: 'x', component_ref: 'app', colour: 1 }] }, makeRegistry());
    expect(result.ok ? [] : result.errors).toEqual([
      { path: 'id', message: 'must be a slug: lowercase letters, digits and dashes, 2-63 chars, starting with a letter' },
      { path: 'components[0].colour', message: 'is not a known field' },
    ]);
    expect(validateTemplate(base, makeRegistry())).toEqual({ ok: true, value: base });
  });

  it('runs an injected helm safety check over helm components only', () => {
    const result = validateTemplate(base, makeRegistry(), {
      checkHelmValues: (_values, path) => [{ path: `${path}.hostNetwork`, message: 'not allowed' }],
    });
    expect(result.ok ? [] : result.errors).toEqual([{ path: 'components[0].config.hostNetwork', message: 'not allowed' }]);
  });
});
