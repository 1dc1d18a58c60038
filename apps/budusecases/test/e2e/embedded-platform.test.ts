import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ServiceProcess, freePort, pollUntil } from '@bud/testing';

/**
 * The platform as `npm start` runs it: both services as processes on embedded defaults (embedded
 * Postgres under DATA_DIR, dev auth, direct transport, the simulated `local` cluster).
 */
describe('embedded platform end to end', () => {
  const dataDir = `/tmp/bud-e2e-${randomUUID()}`;
  let budcluster: ServiceProcess;
  let budusecases: ServiceProcess;
  let localId: string;
  beforeAll(async () => {
    const [clusterPort, usecasesPort] = [await freePort(), await freePort()];
    const env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      BUDCLUSTER_URL: `http://127.0.0.1:${clusterPort}`,
      BUDUSECASES_URL: `http://127.0.0.1:${usecasesPort}`,
    };
    budcluster = new ServiceProcess('dist/apps/budcluster/src/main.js', env, clusterPort);
    budusecases = new ServiceProcess('dist/apps/budusecases/src/main.js', { ...env, RECONCILE_TICK_MS: '500' }, usecasesPort);
    await Promise.all([budcluster.start(60_000), budusecases.start(60_000)]);
    const clusters = await call(budcluster, 'GET', '/api/v1/clusters');
    localId = clusters.body.items.find((c: { name: string }) => c.name === 'local').id;
  }, 120_000);
  afterAll(async () => {
    await budusecases?.stop();
    await budcluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(service: ServiceProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  const waitFor = (id: string, status: string) =>
    pollUntil(
      async () => (await call(budusecases, 'GET', `/api/v1/deployments/${id}`)).body,
      (d) => d.status === status,
      { what: `deployment ${status}`, timeoutMs: 45_000, intervalMs: 100 },
    );

  it('deploys simple-rag-v1 on the local simulated cluster, stops, starts and deletes it', async () => {
    const created = await call(budusecases, 'POST', '/api/v1/deployments', {
      template_id: 'simple-rag-v1',
      name: 'e2e-rag',
      cluster_id: localId,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
    });
    expect(created.status).toBe(201);
    const running = await waitFor(created.body.id, 'running');
    expect(running.components.map((c: { status: string }) => c.status)).toEqual(['running', 'running', 'running', 'running']);
    const jobs = (await call(budcluster, 'GET', `/api/v1/clusters/${localId}/jobs?usecase_deployment_id=${created.body.id}`)).body.items;
    const env = jobs.find((j: { name: string }) => j.name === 'orchestrator').spec.env;
    expect(env.LLM_URL).toBe(running.components.find((c: { id: string }) => c.id === 'llm').outputs.openai_base_url);
    expect(env.VECTOR_DB_URL).toMatch(/^http:\/\/vector-db/);

    await call(budusecases, 'POST', `/api/v1/deployments/${created.body.id}/stop`);
    await waitFor(created.body.id, 'stopped');
    await call(budusecases, 'POST', `/api/v1/deployments/${created.body.id}/start`);
    await waitFor(created.body.id, 'running');
    expect((await call(budusecases, 'DELETE', `/api/v1/deployments/${created.body.id}`)).status).toBe(202);
    await pollUntil(
      () => call(budusecases, 'GET', `/api/v1/deployments/${created.body.id}`),
      (a) => a.status === 404,
      { what: 'deleted', timeoutMs: 45_000 },
    );
  }, 150_000);

  it('fails a deployment whose LLM image fails on the cluster, keeping the rest (on_failure=stop)', async () => {
    expect((await call(budcluster, 'PATCH', `/api/v1/clusters/${localId}`, { settings: { failing_images: ['vllm'] } })).status).toBe(200);
    try {
      const created = await call(budusecases, 'POST', '/api/v1/deployments', {
        template_id: 'simple-chatbot-v1',
        name: 'e2e-broken',
        cluster_id: localId,
        parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
      });
      expect(created.status).toBe(201);
      const failed = await waitFor(created.body.id, 'failed');
      const llm = failed.components.find((c: { component_ref: string }) => c.component_ref === 'vllm-endpoint');
      expect(llm.status).toBe('failed');
      expect(failed.components.filter((c: { status: string }) => c.status === 'running' || c.status === 'pending').length).toBe(
        failed.components.length - 1,
      );
    } finally {
      await call(budcluster, 'PATCH', `/api/v1/clusters/${localId}`, { settings: { failing_images: [] } });
    }
  }, 90_000);
});
