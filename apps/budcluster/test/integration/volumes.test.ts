import { randomUUID } from 'node:crypto';
import { pageOf, volumeResponseSchema } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

type Job = { id: string; status: string };
type Volume = {
  id: string;
  claim_name: string;
  volume_name: string;
  job_id: string | null;
  status: string;
  size: string;
  estimated_cost_per_month: string;
  namespace: string;
};
type Page<T> = { items: T[]; total: number };

/** docs/design.md#volumes through the API: stop keeps claims, delete destroys them unless keep_data, kept ones are listed. */
describe('volumes', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness();
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: {
        name: `vol-${randomUUID().slice(0, 6)}`,
        type: 'simulated',
        price_table: { storage_gib_month: 0.1 },
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
  const volumesPath = () => `/api/v1/clusters/${clusterId}/volumes`;
  const redis = (name: string) =>
    containerJob({
      name,
      k8s_namespace: `ns-${name}`,
      spec: { kind: 'container', image: 'redis:7', ports: [{ port: 6379 }], volumes: [{ name: 'data', size: '2Gi', mount_path: '/data' }] },
    });
  const running = async (name: string): Promise<Job> => {
    const created = await h.http<Job>('POST', jobsPath(), { body: redis(name) });
    expect(created.status).toBe(201);
    return pollUntil(
      async () => (await h.http<Job>('GET', `${jobsPath()}/${created.body.id}`)).body,
      (job) => job.status === 'running',
      { what: 'running' },
    );
  };
  const stop = async (job: Job) => {
    expect((await h.http('DELETE', `${jobsPath()}/${job.id}`)).status).toBe(202);
  };
  const volumesOf = async (name: string, caller = h.tenantA) =>
    (await h.http('GET', `${volumesPath()}?page_size=100`, { caller, schema: pageOf(volumeResponseSchema) })).body.items.filter(
      (v) => v.claim_name === `${name}-data`,
    );

  it('lists a running job’s claim as attached, with its size and monthly cost', async () => {
    const name = `cache-${randomUUID().slice(0, 6)}`;
    const job = await running(name);
    const [volume] = await volumesOf(name);
    expect(volume).toMatchObject({
      claim_name: `${name}-data`,
      volume_name: 'data',
      job_id: job.id,
      status: 'attached',
      size: '2Gi',
      namespace: `ns-${name}`,
      estimated_cost_per_month: '0.200000',
    });
    const one = await h.http('GET', `${volumesPath()}/${volume?.id}`, { schema: volumeResponseSchema });
    expect(one.body).toMatchObject({ id: volume?.id, status: 'attached' });
    expect((await h.http('DELETE', `${volumesPath()}/${volume?.id}`)).status).toBe(409);
  });

  it('stop keeps the claim (detached); a new job of the same name attaches the same volume again', async () => {
    const name = `kv-${randomUUID().slice(0, 6)}`;
    const first = await running(name);
    const [before] = await volumesOf(name);
    await stop(first);
    const [stopped] = await volumesOf(name);
    expect(stopped).toMatchObject({ id: before?.id, status: 'detached', job_id: first.id });
    const second = await running(name);
    const [again] = await volumesOf(name);
    expect(again).toMatchObject({ id: before?.id, status: 'attached', job_id: second.id });
  });

  it('delete with keep_data=true leaves the volume retained and listed; deleting it then removes it', async () => {
    const name = `db-${randomUUID().slice(0, 6)}`;
    const job = await running(name);
    await stop(job);
    expect((await h.http('DELETE', `${jobsPath()}/${job.id}?keep_data=true`)).status).toBe(204);
    const [kept] = await volumesOf(name);
    expect(kept).toMatchObject({ status: 'retained' });
    const retained = await h.http<Page<Volume>>('GET', `${volumesPath()}?status=retained&page_size=100`);
    expect(retained.body.items.map((v) => v.id)).toContain(kept?.id);
    expect((await h.http('DELETE', `${volumesPath()}/${kept?.id}`)).status).toBe(204);
    expect(await volumesOf(name)).toEqual([]);
    expect((await h.http('GET', `${volumesPath()}/${kept?.id}`)).status).toBe(404);
  });

  it('a plain delete of a finished job removes its volumes', async () => {
    const name = `tmp-${randomUUID().slice(0, 6)}`;
    const job = await running(name);
    await stop(job);
    expect(await volumesOf(name)).toHaveLength(1);
    expect((await h.http('DELETE', `${jobsPath()}/${job.id}`)).status).toBe(204);
    expect(await volumesOf(name)).toEqual([]);
  });

  it("hides another tenant's volumes (404) and refuses a bad keep_data", async () => {
    const name = `priv-${randomUUID().slice(0, 6)}`;
    await running(name);
    const [volume] = await volumesOf(name);
    const shared = await h.http<Page<Volume>>('GET', `/api/v1/clusters/${clusterId}/volumes`, { caller: h.tenantB });
    expect(shared.status).toBe(404);
    const local = await h.http<Page<Volume>>('GET', `/api/v1/clusters/${h.localClusterId}/volumes?page_size=100`, { caller: h.tenantB });
    expect(local.body.items.map((v) => v.id)).not.toContain(volume?.id);
    expect((await h.http('GET', `/api/v1/clusters/${clusterId}/volumes/${volume?.id}`, { caller: h.tenantB })).status).toBe(404);
    expect((await h.http('DELETE', `/api/v1/clusters/${clusterId}/volumes/${volume?.id}`, { caller: h.tenantB })).status).toBe(404);
    const bad = await h.http('DELETE', `${jobsPath()}/${randomUUID()}?keep_data=yes`);
    expect(bad.status).toBe(422);
  });

  it("on a shared cluster, another tenant's volume is not listed and is 404 by id, for a platform admin too", async () => {
    const name = `shared-${randomUUID().slice(0, 6)}`;
    const created = await h.http<Job>('POST', `/api/v1/clusters/${h.localClusterId}/jobs`, { body: redis(name) });
    expect(created.status).toBe(201);
    const path = `/api/v1/clusters/${h.localClusterId}/volumes`;
    const own = await h.http<Page<Volume>>('GET', `${path}?page_size=100`);
    const volume = own.body.items.find((v) => v.claim_name === `${name}-data`);
    expect(volume).toBeDefined();
    const other = await h.http<Page<Volume>>('GET', `${path}?page_size=100`, { caller: h.tenantB });
    expect(other.body.items.map((v) => v.id)).not.toContain(volume?.id);
    expect((await h.http('GET', `${path}/${volume?.id}`, { caller: h.tenantB })).status).toBe(404);
    expect((await h.http('DELETE', `${path}/${volume?.id}`, { caller: h.tenantB })).status).toBe(404);
    const admin = await h.http<Page<Volume>>('GET', `${path}?page_size=100`, { caller: h.admin });
    expect(admin.body.items.map((v) => v.id)).not.toContain(volume?.id);
    expect((await h.http('DELETE', `${path}/${volume?.id}`, { caller: h.admin })).status).toBe(404);
    expect((await h.http('GET', `${path}/${volume?.id}`)).status).toBe(200);
  });
});
