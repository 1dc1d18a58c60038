import { randomUUID } from 'node:crypto';
import { changePlanSchema, deploymentResponseSchema, errorBodySchema, jobResponseSchema, pageOf } from '@bud/contracts';
import type { ChangePlan } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { waitForStatus } from '../support/deployments';

const plan = { schema: changePlanSchema };
const PRICES = { gpu_hour: { 'A100-80GB': 2.5 }, vcpu_hour: 0.04, memory_gib_hour: 0.005, storage_gib_month: 0.1 };

/** docs/design.md#change-preview: `?dry_run=true` on update, scale, stop and delete answers a ChangePlan and changes nothing. */
describe('change preview of a running chatbot-memory-v1', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  let id: string;
  let snapshot: () => Promise<{ version: number; status: string; jobs: string[] }>;

  beforeAll(async () => {
    h = await startUsecasesHarness();
    const cluster = await h.clusterHttp<{ id: string }>('POST', '/api/v1/clusters', {
      body: {
        name: `preview-${randomUUID().slice(0, 8)}`,
        type: 'simulated',
        price_table: PRICES,
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 0 },
      },
    });
    if (cluster.status !== 201) throw new Error(`cluster create failed: ${JSON.stringify(cluster.body)}`);
    clusterId = cluster.body.id;
    const created = await h.http('POST', '/api/v1/deployments', {
      schema: deploymentResponseSchema,
      body: {
        template_id: 'chatbot-memory-v1',
        name: `chat-${randomUUID().slice(0, 8)}`,
        cluster_id: clusterId,
        parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
      },
    });
    if (created.status !== 201) throw new Error(`deployment create failed: ${JSON.stringify(created.body)}`);
    id = created.body.id;
    await waitForStatus(h, id, 'running');
    snapshot = async () => {
      const deployment = (await h.http('GET', `/api/v1/deployments/${id}`, { schema: deploymentResponseSchema })).body;
      const jobs = await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${id}&page_size=100`, {
        schema: pageOf(jobResponseSchema),
      });
      return { version: deployment.version, status: deployment.status, jobs: jobs.body.items.map((j) => `${j.id}:${j.status}`).sort() };
    };
  });
  afterAll(() => h.stop());

  const byId = (p: ChangePlan, component: string) => p.components.find((c) => c.id === component);
  const changes = (p: ChangePlan) => Object.fromEntries(p.components.map((c) => [c.id, c.change]));

  it('previews an update: the env path of the changed parameter, from and to; the rest unchanged; nothing changes', async () => {
    const before = await snapshot();
    const answer = await h.http('PATCH', `/api/v1/deployments/${id}?dry_run=true`, {
      ...plan,
      body: { parameters: { memory_review_interval: 5 } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      action: 'update',
      deployment_id: id,
      template_version_before: '1.1.0',
      template_version_after: '1.1.0',
    });
    expect(changes(answer.body)).toEqual({ memory: 'unchanged', llm: 'unchanged', 'chat-ui': 'rolling' });
    expect(byId(answer.body, 'chat-ui')?.fields).toEqual([{ path: 'spec.env.MEMORIES_REVIEW_INTERVAL_TURNS', from: '10', to: '5' }]);
    expect(answer.body.blast_radius).toEqual([]);
    expect(answer.body.cost.difference_per_hour).toBe('0.000000');
    expect(answer.body.data_at_risk).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('previews a replicas-only scale as scale, with the cost it adds, and changes nothing', async () => {
    const before = await snapshot();
    const answer = await h.http('POST', `/api/v1/deployments/${id}/components/chat-ui/scale?dry_run=true`, {
      ...plan,
      body: { replicas: 3 },
    });
    expect(answer.status).toBe(200);
    expect(byId(answer.body, 'chat-ui')).toMatchObject({ change: 'scale', fields: [{ path: 'resources.replicas', from: 1, to: 3 }] });
    const component = byId(answer.body, 'chat-ui')!;
    expect(Number(component.estimated_cost_per_hour_after)).toBeCloseTo(3 * Number(component.estimated_cost_per_hour_before), 6);
    expect(Number(answer.body.cost.difference_per_hour)).toBeGreaterThan(0);
    expect(answer.body.cost.gpus_after).toEqual(answer.body.cost.gpus_before);
    expect(answer.body.capacity.admits).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('previews a stop: every component removed, no data at risk (stop keeps volumes), and changes nothing', async () => {
    const before = await snapshot();
    const answer = await h.http('POST', `/api/v1/deployments/${id}/stop?dry_run=true`, plan);
    expect(answer.status).toBe(200);
    expect(new Set(Object.values(changes(answer.body)))).toEqual(new Set(['remove']));
    expect(answer.body.cost.after_per_hour).toBe('0.000000');
    expect(answer.body.data_at_risk).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('previews a delete with the volumes it destroys and their $/month, none with keep_data=true; nothing changes', async () => {
    const before = await snapshot();
    const answer = await h.http('DELETE', `/api/v1/deployments/${id}?dry_run=true`, plan);
    expect(answer.status).toBe(200);
    expect(new Set(Object.values(changes(answer.body)))).toEqual(new Set(['remove']));
    // Every claim of the stack, at $0.10 per GiB-month: chat-ui's and Redis' 5Gi data, the model cache of vLLM.
    expect(answer.body.data_at_risk).toEqual([
      { component: 'chat-ui', volume: 'data', claim_name: 'chat-ui-data', size: '5Gi', estimated_cost_per_month: '0.500000' },
      { component: 'llm', volume: 'model-cache', claim_name: 'llm-model-cache', size: '100Gi', estimated_cost_per_month: '10.000000' },
      { component: 'memory', volume: 'data', claim_name: 'memory-data', size: '5Gi', estimated_cost_per_month: '0.500000' },
    ]);
    expect(answer.body.cost).toMatchObject({
      after_per_hour: '0.000000',
      difference_per_hour: `-${answer.body.cost.before_per_hour}`,
      gpus_after: {},
    });
    const kept = await h.http('DELETE', `/api/v1/deployments/${id}?dry_run=true&keep_data=true`, plan);
    expect(kept.status).toBe(200);
    expect(kept.body.data_at_risk).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('previews an update that drops a component: remove, its dependent restarts because of its url, the cost falls', async () => {
    const agent = await h.http('POST', '/api/v1/deployments', {
      schema: deploymentResponseSchema,
      body: {
        template_id: 'simple-agent-v1',
        name: `agent-${randomUUID().slice(0, 8)}`,
        cluster_id: clusterId,
        parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
      },
    });
    expect(agent.status).toBe(201);
    const running = await waitForStatus(h, agent.body.id, 'running');
    const toolsUrl = running.components.find((c: { id: string }) => c.id === 'tools').outputs.url;
    const answer = await h.http('PATCH', `/api/v1/deployments/${agent.body.id}?dry_run=true`, {
      ...plan,
      body: { parameters: { tools_enabled: [] } },
    });
    expect(answer.status).toBe(200);
    expect(changes(answer.body)).toEqual({ llm: 'unchanged', tools: 'remove', agent: 'rolling' });
    expect(byId(answer.body, 'agent')?.fields).toEqual([
      { path: 'spec.env.TOOLS_ENABLED', from: '["time","fetch"]', to: '[]' },
      { path: 'spec.env.TOOL_SERVER_URL', from: toolsUrl, to: '' },
    ]);
    expect(answer.body.blast_radius).toEqual([{ component: 'agent', because_of: { component: 'tools', output: 'url' } }]);
    expect(byId(answer.body, 'tools')?.estimated_cost_per_hour_after).toBe('0.000000');
    expect(answer.body.cost.difference_per_hour).toBe(`-${byId(answer.body, 'tools')?.estimated_cost_per_hour_before}`);
    expect(answer.body.data_at_risk).toEqual([]);
    expect((await h.http('GET', `/api/v1/deployments/${agent.body.id}`)).body.components.map((c: { status: string }) => c.status)).toEqual([
      'running',
      'running',
      'running',
    ]);
  });

  it.each([
    ['update', 'PATCH', '', { parameters: { memory_review_interval: 3 } }],
    ['scale', 'POST', '/components/chat-ui/scale', { replicas: 2 }],
    ['stop', 'POST', '/stop', undefined],
    ['delete', 'DELETE', '', undefined],
  ])("answers 404 for a preview of another tenant's deployment (%s)", async (_action, method, suffix, body) => {
    const answer = await h.http(method, `/api/v1/deployments/${id}${suffix}?dry_run=true`, {
      caller: h.tenantB,
      schema: errorBodySchema,
      ...(body ? { body } : {}),
    });
    expect(answer.status).toBe(404);
  });

  it('is what the apply then does: the components it calls rolling roll out in place, the others keep their generation', async () => {
    const body = { parameters: { memory_review_interval: 20 } };
    const preview = await h.http('PATCH', `/api/v1/deployments/${id}?dry_run=true`, { ...plan, body });
    const rolling = preview.body.components.filter((c) => c.change === 'rolling').map((c) => c.id);
    expect(rolling).toEqual(['chat-ui']);
    const jobsBefore = (await snapshot()).jobs;
    expect((await h.http('PATCH', `/api/v1/deployments/${id}`, { schema: deploymentResponseSchema, body })).status).toBe(200);
    const jobs = await pollUntil(
      async () =>
        (
          await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${id}&page_size=100`, {
            schema: pageOf(jobResponseSchema),
          })
        ).body.items,
      (items) => items.some((j) => j.name === 'chat-ui' && (j.rollout?.observed_generation ?? 0) >= 2),
      { what: 'chat-ui rolled out', timeoutMs: 30_000 },
    );
    expect(jobs.map((j) => `${j.id}:${j.status}`).sort()).toEqual(jobsBefore);
    expect(Object.fromEntries(jobs.map((j) => [j.name, j.rollout?.generation]))).toEqual({ llm: 1, memory: 1, 'chat-ui': 2 });
    await waitForStatus(h, id, 'running');
  });
});
