import { randomUUID } from 'node:crypto';
import { jobResponseSchema } from '@bud/contracts';
import type { JobResponse } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness, HttpAnswer } from '../support/harness';

/**
 * docs/design.md#object-names through the API on the simulated driver: a job's objects are named after its identity, so
 * two active jobs of one name run side by side; the names a caller decides (a claim, a helm release_name) may be held by
 * one active job of a namespace at a time (409 naming the field), and are free again once that job ends.
 */
describe('object names', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness();
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: {
        name: `names-${randomUUID().slice(0, 6)}`,
        type: 'simulated',
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 0 },
      },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
  });
  afterAll(async () => {
    await h.stop();
  });

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const create = (body: Record<string, unknown>) => h.http('POST', jobsPath(), { body });
  const running = (id: string): Promise<JobResponse> =>
    pollUntil(
      async () => (await h.http('GET', `${jobsPath()}/${id}`, { schema: jobResponseSchema })).body,
      (job) => job.status === 'running',
      { what: `job ${id} running` },
    );
  const expectConflictOn = (answer: HttpAnswer, path: string, what: RegExp) => {
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'conflict' });
    expect(answer.body.details).toEqual([{ path, message: expect.stringMatching(what) }]);
  };
  const withVolume = (name: string, namespace: string) =>
    containerJob({
      name,
      k8s_namespace: namespace,
      spec: { kind: 'container', image: 'redis:7', ports: [{ port: 6379 }], volumes: [{ name: 'data', size: '1Gi', mount_path: '/data' }] },
    });
  const helmJob = (name: string, namespace: string, release_name?: string) => ({
    name,
    job_type: 'service',
    k8s_namespace: namespace,
    spec: { kind: 'helm', chart_ref: 'charts/redis', values: { service: { port: 6379 } }, ...(release_name ? { release_name } : {}) },
    resources: { cpu_request: '100m', memory_request: '128Mi' },
  });

  it('runs two active jobs of one name in one namespace side by side, each with its own objects and host', async () => {
    const namespace = `names-${randomUUID().slice(0, 6)}`;
    const first = await create(containerJob({ name: 'chat', k8s_namespace: namespace }));
    const second = await create(containerJob({ name: 'chat', k8s_namespace: namespace }));
    expect([first.status, second.status]).toEqual([201, 201]);
    const [a, b] = await Promise.all([running(first.body.id), running(second.body.id)]);
    expect(a.k8s_resource_name).toBe(`chat-${a.id.slice(0, 8)}`);
    expect(b.k8s_resource_name).toBe(`chat-${b.id.slice(0, 8)}`);
    expect(a.k8s_resource_name).not.toBe(b.k8s_resource_name);
    expect(a.outputs.host).toBe(`${a.k8s_resource_name}.${namespace}.svc.cluster.local`);
    expect(b.outputs.host).toBe(`${b.k8s_resource_name}.${namespace}.svc.cluster.local`);
  });

  it('gives a name starting with a digit a resource name that starts with a letter', async () => {
    const created = await create(containerJob({ name: '7b-chat', k8s_namespace: `names-${randomUUID().slice(0, 6)}` }));
    expect(created.status).toBe(201);
    const job = await running(created.body.id);
    expect(job.k8s_resource_name).toBe(`j-7b-chat-${job.id.slice(0, 8)}`);
    expect(job.outputs.service).toBe(job.k8s_resource_name);
  });

  it('refuses a second active job of a namespace that names the same claim (409 naming the volume), and not in another namespace', async () => {
    const namespace = `names-${randomUUID().slice(0, 6)}`;
    const first = await create(withVolume('db', namespace));
    expect(first.status).toBe(201);
    expectConflictOn(
      await create(withVolume('db', namespace)),
      'spec.volumes[0].name',
      /volume claim 'db-data' is used by the active job 'db'/,
    );
    const storage = await create(
      containerJob({ name: 'db', k8s_namespace: namespace, resources: { cpu_request: '100m', memory_request: '128Mi', storage: '1Gi' } }),
    );
    expect(storage.status).toBe(409);
    expect((await create(withVolume('db', `${namespace}-b`))).status).toBe(201);
  });

  it('lets the next job of the name take the claim once the holder is stopped', async () => {
    const namespace = `names-${randomUUID().slice(0, 6)}`;
    const first = await create(withVolume('cache', namespace));
    expect(first.status).toBe(201);
    await running(first.body.id);
    expect((await h.http('DELETE', `${jobsPath()}/${first.body.id}`)).status).toBe(202);
    const next = await create(withVolume('cache', namespace));
    expect(next.status).toBe(201);
    const volumes = await h.http<{ items: Array<{ claim_name: string; job_id: string; status: string }> }>(
      'GET',
      `/api/v1/clusters/${clusterId}/volumes?page_size=100`,
    );
    expect(volumes.body.items.filter((v) => v.claim_name === 'cache-data')).toEqual([
      expect.objectContaining({ job_id: next.body.id, status: 'attached' }),
    ]);
  });

  it('answers a repeated keyed request with its job, not a conflict over its own claim', async () => {
    const body = { ...withVolume('keyed', `names-${randomUUID().slice(0, 6)}`), idempotency_key: randomUUID() };
    const first = await create(body);
    const again = await create(body);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
  });

  it('refuses a second active helm job of a namespace with the same release_name, and runs two without one', async () => {
    const namespace = `names-${randomUUID().slice(0, 6)}`;
    expect((await create(helmJob('cache', namespace, 'redis-main'))).status).toBe(201);
    expectConflictOn(
      await create(helmJob('other', namespace, 'redis-main')),
      'spec.release_name',
      /release 'redis-main' is used by the active job 'cache'/,
    );
    const a = await create(helmJob('cache', namespace));
    const b = await create(helmJob('cache', namespace));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.k8s_resource_name).not.toBe(b.body.k8s_resource_name);
    expect((await create(helmJob('cache', `${namespace}-b`, 'redis-main'))).status).toBe(201);
  });
});
