import { Client } from 'pg';
import { deploymentResponseSchema, dryRunResponseSchema, errorBodySchema, jobResponseSchema, pageOf } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';

const deployment = { schema: deploymentResponseSchema };
const refusal = { schema: errorBodySchema };

describe('deployments of simple-rag-v1 through budcluster', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startUsecasesHarness();
    clusterId = await fastCluster(h, h.tenantA);
  });
  afterAll(() => h.stop());

  const jobsOf = async (deploymentId: string) =>
    (
      await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${deploymentId}&page_size=100`, {
        schema: pageOf(jobResponseSchema),
      })
    ).body.items as any[];

  it('answers a dry run with the plan: waves, GPUs, cost and a capacity verdict, creating nothing', async () => {
    const request = ragRequest(clusterId);
    const plan = await h.http('POST', '/api/v1/deployments?dry_run=true', { schema: dryRunResponseSchema, body: request });
    expect(plan.status).toBe(200);
    expect(plan.body.waves.map((w) => w.components.map((c) => c.id).sort())).toEqual([['embedding', 'llm', 'vector-db'], ['orchestrator']]);
    const planned = plan.body.waves.flatMap((w) => w.components);
    expect(planned.filter((c) => c.gpu.count > 0).map((c) => [c.id, c.gpu])).toEqual([['llm', { type: 'A100-80GB', count: 1 }]]);
    expect(plan.body.total.gpus).toEqual({ 'A100-80GB': 1 });
    expect(Number(plan.body.total.estimated_cost_per_hour)).toBeGreaterThan(0);
    expect(plan.body.capacity).toMatchObject({ admits: true });
    const listed = await h.http('GET', '/api/v1/deployments');
    expect(listed.body.items.map((d: any) => d.name)).not.toContain(request.name);
  });

  it("deploys to running, wiring the other components' URLs into the orchestrator, then stops, starts and deletes", async () => {
    const created = await h.http('POST', '/api/v1/deployments', { ...deployment, body: ragRequest(clusterId) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', run: 1, namespace: `uc-${created.body.id.replace(/-/g, '').slice(0, 12)}` });
    const orchestratorAtStart = created.body.components?.find((c) => c.id === 'orchestrator');
    expect(orchestratorAtStart?.blocked_by.sort()).toEqual(['embedding', 'llm', 'vector-db']);

    const running = await waitForStatus(h, created.body.id, 'running');
    expect(running.components.every((c: any) => c.status === 'running')).toBe(true);
    const jobs = await jobsOf(created.body.id);
    expect(jobs).toHaveLength(4);
    const orchestratorJob = jobs.find((j) => j.name === 'orchestrator');
    const env = orchestratorJob.spec.env as Record<string, string>;
    // The LLM is wired by its OpenAI base URL (<url>/v1), the others by their url.
    for (const [dep, output] of [
      ['vector-db', 'url'],
      ['embedding', 'url'],
      ['llm', 'openai_base_url'],
    ] as const) {
      const url = running.components.find((c: any) => c.id === dep).outputs[output] as string;
      expect(url).toMatch(/^http:\/\//);
      expect(Object.values(env)).toContain(url);
    }
    expect(orchestratorJob).toMatchObject({
      source_type: 'usecase',
      usecase_deployment_id: created.body.id,
      k8s_namespace: created.body.namespace,
    });

    expect((await h.http('POST', `/api/v1/deployments/${created.body.id}/start`, refusal)).status).toBe(409);
    expect((await h.http('POST', `/api/v1/deployments/${created.body.id}/stop`, deployment)).status).toBe(202);
    await waitForStatus(h, created.body.id, 'stopped');
    expect((await jobsOf(created.body.id)).every((j) => j.status === 'cancelled')).toBe(true);

    const restarted = await h.http('POST', `/api/v1/deployments/${created.body.id}/start`, deployment);
    expect(restarted.status).toBe(202);
    expect(restarted.body.run).toBe(2);
    await waitForStatus(h, created.body.id, 'running');
    expect((await jobsOf(created.body.id)).filter((j) => j.status === 'running')).toHaveLength(4);

    expect((await h.http('DELETE', `/api/v1/deployments/${created.body.id}`, deployment)).status).toBe(202);
    // Asking again for a delete under way is accepted, not a conflict (issue 16).
    expect((await h.http('DELETE', `/api/v1/deployments/${created.body.id}`, deployment)).status).toBe(202);
    await pollUntil(
      () => h.http('GET', `/api/v1/deployments/${created.body.id}`, deployment),
      (a) => a.status === 404,
      { what: 'deployment gone', timeoutMs: 30_000 },
    );
    expect(await jobsOf(created.body.id)).toEqual([]);
  });

  it('updates parameters in place: only the components whose job changes roll out a new generation, every job kept', async () => {
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    await waitForStatus(h, created.body.id, 'running');
    const before = await jobsOf(created.body.id);
    const patched = await h.http('PATCH', `/api/v1/deployments/${created.body.id}`, {
      body: { parameters: { embedding_model: 'BAAI/bge-small-en-v1.5' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.parameters.embedding_model).toBe('BAAI/bge-small-en-v1.5');
    await pollUntil(
      async () => (await h.http('GET', `/api/v1/deployments/${created.body.id}`)).body,
      (d: any) => d.status === 'running' && d.components.find((c: any) => c.id === 'embedding').generation === 2,
      { what: 'embedding rolled out in place', timeoutMs: 30_000 },
    );
    const after = await jobsOf(created.body.id);
    expect(after.map((j) => [j.name, j.id, j.status]).sort()).toEqual(before.map((j) => [j.name, j.id, 'running']).sort());
    const embedding = after.find((j) => j.name === 'embedding');
    expect(embedding.spec.model_id).toBe('BAAI/bge-small-en-v1.5');
    expect(embedding.source_id).toBe('embedding#1');
    for (const name of ['vector-db', 'llm', 'orchestrator']) expect(after.find((j) => j.name === name).rollout.generation).toBe(1);

    const invalid = await h.http('PATCH', `/api/v1/deployments/${created.body.id}`, { body: { parameters: { vector_db_size: '7Gi' } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.map((d: any) => d.path)).toContain('parameters.vector_db_size');
    await h.http('POST', `/api/v1/deployments/${created.body.id}/stop`);
    await waitForStatus(h, created.body.id, 'stopped');
    expect((await h.http('PATCH', `/api/v1/deployments/${created.body.id}`, { body: { parameters: {} } })).status).toBe(409);
  });

  it('keeps secret parameters sealed at rest and masked in answers, and hands them to the job as write-only secret_env', async () => {
    const template = {
      id: 'secret-cache',
      name: 'Secret cache',
      category: 'chatbot',
      version: '1.0.0',
      complexity: 'simple',
      parameters: [{ name: 'password', type: 'secret', required: true }],
      components: [{ id: 'cache', component_ref: 'redis', env: { REDIS_PASSWORD: '{{ parameters.password }}' } }],
    };
    const saved = await h.http('POST', '/api/v1/templates', { body: template });
    expect(saved.status).toBe(201);
    const created = await h.http('POST', '/api/v1/deployments', {
      body: { template_id: 'secret-cache', name: 'secret-cache', cluster_id: clusterId, parameters: { password: 'hunter2-very-secret' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.parameters.password).toBe('********');
    expect(JSON.stringify(created.body)).not.toContain('hunter2');
    await waitForStatus(h, created.body.id, 'running');
    const sql = new Client({ connectionString: h.usecasesDb.url });
    await sql.connect();
    const { rows } = await sql.query(
      `SELECT secret_parameters::text AS secrets, parameters::text AS params FROM deployments WHERE id = $1`,
      [created.body.id],
    );
    await sql.end();
    expect(rows[0].secrets).toContain('sealed');
    expect(rows[0].secrets + rows[0].params).not.toContain('hunter2');
    // budcluster holds the value sealed and answers it masked; the container gets it from a Kubernetes Secret.
    const [job] = await jobsOf(created.body.id);
    expect(job.spec.secret_env).toEqual({ REDIS_PASSWORD: '********' });
    expect(job.spec.env).not.toHaveProperty('REDIS_PASSWORD');
    expect(JSON.stringify(job)).not.toContain('hunter2');
  });

  it('streams progress over SSE', async () => {
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    const response = await fetch(`${h.usecases.url}/api/v1/deployments/${created.body.id}/events`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${h.tenantA.token}` },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    await pollUntil(
      async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return text;
      },
      (t) => t.includes('"status":"running"') && t.includes('event: deployment.status'),
      { what: 'running over SSE', timeoutMs: 30_000 },
    );
    await reader.cancel();
    const history = await h.http('GET', `/api/v1/deployments/${created.body.id}/events`);
    expect(history.body.items.map((e: any) => e.type)).toEqual(expect.arrayContaining(['deployment.status', 'component.status']));
  });

  it('streams an event that committed after later ids were already streamed', async () => {
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    await waitForStatus(h, created.body.id, 'running');
    const response = await fetch(`${h.usecases.url}/api/v1/deployments/${created.body.id}/events`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${h.tenantA.token}` },
    });
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = (what: string, accept: (t: string) => boolean) =>
      pollUntil(
        async () => {
          const { value } = await reader.read();
          text += new TextDecoder().decode(value);
          return text;
        },
        accept,
        { what, timeoutMs: 30_000 },
      );
    await readUntil('history streamed', (t) => t.includes('"status":"running"'));
    // An id below every streamed one, recorded now: what a slow transaction's event looks like.
    const sql = new Client({ connectionString: h.usecasesDb.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO deployment_events (id, deployment_id, type, status, message, occurred_at) OVERRIDING SYSTEM VALUE VALUES (-1, $1, 'action', NULL, 'committed late', now())`,
      [created.body.id],
    );
    await sql.end();
    await readUntil('the late event', (t) => t.includes('committed late'));
    await reader.cancel();
    expect(text.match(/"message":"committed late"/g)).toHaveLength(1);
  });

  it('with on_failure=stop, a failing component fails the deployment and nothing after it starts; retry recovers', async () => {
    const flaky = await fastCluster(h, h.tenantA, { failing_images: ['vllm'] });
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(flaky) });
    const failed = await waitForStatus(h, created.body.id, 'failed');
    const byId = Object.fromEntries(failed.components.map((c: any) => [c.id, c]));
    expect(byId.llm.status).toBe('failed');
    expect(byId.llm.message).toMatch(/failed/i);
    expect(byId.orchestrator).toMatchObject({ status: 'pending', job_id: null });
    await h.clusterHttp('PATCH', `/api/v1/clusters/${flaky}`, { body: { settings: { failing_images: [] } } });
    expect((await h.http('POST', `/api/v1/deployments/${created.body.id}/components/llm/retry`)).status).toBe(202);
    await waitForStatus(h, created.body.id, 'running');
  });

  it('with on_failure=rollback, a failing component cancels what the run created', async () => {
    const flaky = await fastCluster(h, h.tenantA, { failing_images: ['vllm'] });
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(flaky, { on_failure: 'rollback' }) });
    await waitForStatus(h, created.body.id, 'failed');
    const jobs = await pollUntil(
      async () =>
        (await h.clusterHttp('GET', `/api/v1/clusters/${flaky}/jobs?usecase_deployment_id=${created.body.id}`)).body.items as any[],
      (items) => items.length === 3 && items.every((j) => j.status === 'cancelled' || j.status === 'failed'),
      { what: 'rolled back', timeoutMs: 30_000 },
    );
    expect(jobs.filter((j) => j.status === 'cancelled')).toHaveLength(2);
  });

  describe('bad input', () => {
    let sql: Client;
    beforeAll(async () => {
      sql = new Client({ connectionString: h.usecasesDb.url });
      await sql.connect();
    });
    afterAll(() => sql.end());
    const rows = async () =>
      (await sql.query(`SELECT (SELECT count(*) FROM deployments)::int AS d, (SELECT count(*) FROM deployment_components)::int AS c`))
        .rows[0];

    it.each([
      ['an unknown template', { template_id: 'no-such-template' }, 'template_id'],
      ['an unknown cluster', { cluster_id: '00000000-0000-4000-8000-00000000dead' }, 'cluster_id'],
      ['a parameter of the wrong type', { parameters: { model_id: 'm/x', vector_db_size: 50 } }, 'parameters.vector_db_size'],
      ['a parameter outside its options', { parameters: { model_id: 'm/x', vector_db_size: '7Gi' } }, 'parameters.vector_db_size'],
      ['a missing required parameter', { parameters: {} }, 'parameters.model_id'],
      ['an unknown parameter', { parameters: { model_id: 'm/x', colour: 'red' } }, 'parameters.colour'],
      ['a name that is not a DNS label', { name: 'Not_OK' }, 'name'],
      ['a name longer than 40 characters', { name: 'a'.repeat(41) }, 'name'],
      ['an unknown field', { colour: 'red' }, 'colour'],
    ])('answers %s with 422 naming the field and writing nothing', async (_what, overrides, path) => {
      const before = await rows();
      const answer = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId, overrides) });
      expect(answer.status).toBe(422);
      expect(answer.body.details.map((d: any) => d.path)).toContain(path);
      expect(await rows()).toEqual(before);
    });

    it('answers malformed JSON with 400 and an oversized body with 413', async () => {
      expect((await h.http('POST', '/api/v1/deployments', { raw: '{"name":' })).status).toBe(400);
      expect((await h.http('POST', '/api/v1/deployments', { raw: JSON.stringify({ x: 'a'.repeat(1_100_000) }) })).status).toBe(413);
    });

    it("hides another tenant's deployment on every route", async () => {
      const mine = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
      const id = mine.body.id;
      for (const [method, path] of [
        ['GET', `/api/v1/deployments/${id}`],
        ['GET', `/api/v1/deployments/${id}/components`],
        ['GET', `/api/v1/deployments/${id}/events`],
        ['POST', `/api/v1/deployments/${id}/stop`],
        ['POST', `/api/v1/deployments/${id}/start`],
        ['POST', `/api/v1/deployments/${id}/components/llm/retry`],
        ['DELETE', `/api/v1/deployments/${id}`],
      ] as const) {
        const answer = await h.http(method, path, { caller: h.tenantB });
        expect([method, path, answer.status]).toEqual([method, path, 404]);
      }
      const theirs = await h.http('GET', '/api/v1/deployments?page_size=100', { caller: h.tenantB });
      expect(theirs.body.items.map((d: any) => d.id)).not.toContain(id);
      // Tenant B cannot deploy on tenant A's cluster either.
      const onForeignCluster = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId), caller: h.tenantB });
      expect(onForeignCluster.status).toBe(422);
    });

    it('answers bad ids and pagination with 422', async () => {
      expect((await h.http('GET', '/api/v1/deployments/not-a-uuid')).status).toBe(422);
      expect((await h.http('GET', '/api/v1/deployments?page_size=0')).status).toBe(422);
      expect((await h.http('GET', '/api/v1/deployments?status=sleeping')).status).toBe(422);
    });
  });
});
