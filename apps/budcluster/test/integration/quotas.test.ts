import { randomUUID } from 'node:crypto';
import { jobResponseSchema, pageOf, quotaResponseSchema } from '@bud/contracts';
import type { QuotaResponse } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import type { ClusterQuotas } from '../../src/domain/quota-model';
import { DriverRegistry } from '../../src/drivers/driver-registry.service';
import { QuotaRepository } from '../../src/repositories/quota.repository';
import { JobLifecycleService } from '../../src/services/job-lifecycle.service';
import { containerJob, startHarness } from '../support/harness';
import type { Caller, Harness, HttpAnswer } from '../support/harness';

/**
 * docs/design.md#quotas through the API: admins set, read and delete quotas per tenant and the cluster's default; a
 * tenant reads only its own effective quota with its usage; bad bodies and paths are 422s naming the field; every
 * change reaches the owner's driver, also one another replica wrote.
 */
describe('quotas API', () => {
  let h: Harness;
  /** Shared, jobs start at once. */
  let clusterId: string;
  /** Shared, jobs wait a day to be admitted: they stay queued. */
  let slowClusterId: string;
  const handed: Array<{ clusterId: string; quotas: ClusterQuotas }> = [];

  const sharedCluster = async (settings: Record<string, unknown>) => {
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: { name: `quota-${randomUUID().slice(0, 8)}`, type: 'simulated', shared: true, settings },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };
  /** Records what the registry hands each cluster's driver from now on. */
  const watchDriver = async (id: string) => {
    const driver = await h.service.app.get(DriverRegistry).driverOf(id);
    if (!driver) throw new Error('the cluster has no driver here');
    const original = driver.updateQuotas.bind(driver);
    driver.updateQuotas = (quotas: ClusterQuotas) => {
      handed.push({ clusterId: id, quotas });
      original(quotas);
    };
  };

  beforeAll(async () => {
    h = await startHarness({ CLUSTER_OWNERSHIP_CHECK_MS: '200' });
    const fast = { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 0, gpu_capacity: { 'A100-80GB': 8, 'H100-80GB': 8 } };
    clusterId = await sharedCluster(fast);
    slowClusterId = await sharedCluster({ ...fast, admit_delay_ms: 86_400_000 });
    await watchDriver(clusterId);
    await watchDriver(slowClusterId);
  });
  afterAll(async () => {
    await h.stop();
  });

  const quotasPath = (cluster = clusterId) => `/api/v1/clusters/${cluster}/quotas`;
  const put = (caller: Caller, tenant: string, body: unknown, cluster = clusterId) =>
    h.http<QuotaResponse>('PUT', `${quotasPath(cluster)}/${tenant}`, { caller, body });
  const getOne = (caller: Caller, tenant: string, cluster = clusterId) =>
    h.http<QuotaResponse>('GET', `${quotasPath(cluster)}/${tenant}`, { caller });
  const list = async (caller: Caller, cluster = clusterId) => {
    const answer = await h.http('GET', `${quotasPath(cluster)}?page_size=100`, { caller, schema: pageOf(quotaResponseSchema) });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const expect422 = (answer: HttpAnswer, path: string, message?: RegExp) => {
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed' });
    expect(answer.body.details).toContainEqual({ path, message: expect.stringMatching(message ?? /./) });
  };
  const gpuJob = (gpus: number, replicas = 1) =>
    containerJob({ resources: { cpu_request: '500m', memory_request: '512Mi', gpu_type: 'A100-80GB', gpu_count: gpus, replicas } });
  const createJob = async (caller: Caller, body: unknown, cluster = clusterId) => {
    const created = await h.http<{ id: string }>('POST', `/api/v1/clusters/${cluster}/jobs`, { caller, body });
    expect(created.status).toBe(201);
    return created.body.id;
  };
  const jobOf = async (caller: Caller, id: string, cluster = clusterId) =>
    (await h.http('GET', `/api/v1/clusters/${cluster}/jobs/${id}`, { caller, schema: jobResponseSchema })).body;

  it('lets an admin set a tenant quota, which the tenant reads with its usage, and hands it to the driver', async () => {
    const tenant = await h.caller(['job:view', 'job:manage']);
    const handedBefore = handed.length;
    const set = await put(h.admin, tenant.tenantId, {
      gpus: { 'A100-80GB': { nominal: 4, borrowing_limit: 2 }, 'H100-80GB': { nominal: 1 } },
      cpu: { nominal: '16', borrowing_limit: null },
      memory: { nominal: '64Gi' },
      weight: 2,
    });
    expect(set.status).toBe(200);
    expect(quotaResponseSchema.parse(set.body)).toMatchObject({
      cluster_id: clusterId,
      tenant_id: tenant.tenantId,
      source: 'tenant',
      gpus: { 'A100-80GB': { nominal: 4, borrowing_limit: 2 }, 'H100-80GB': { nominal: 1, borrowing_limit: null } },
      cpu: { nominal: '16', borrowing_limit: null },
      memory: { nominal: '64Gi', borrowing_limit: null },
      weight: 2,
      cohort: true,
      usage: { gpus: { 'A100-80GB': { admitted: 0, borrowed: 0, queued: 0 } }, cpu: '0', memory: '0' },
    });
    const given = handed.slice(handedBefore).filter((entry) => entry.clusterId === clusterId);
    expect(given.at(-1)?.quotas.tenants).toContainEqual({
      tenantId: tenant.tenantId,
      gpus: { 'A100-80GB': { nominal: 4, borrowingLimit: 2 }, 'H100-80GB': { nominal: 1, borrowingLimit: null } },
      cpuMillis: { nominal: 16_000, borrowingLimit: null },
      memoryBytes: { nominal: 64 * 2 ** 30, borrowingLimit: null },
      weight: 2,
      cohort: true,
    });

    const own = await getOne(tenant, tenant.tenantId);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ source: 'tenant', weight: 2 });
    const listed = await list(tenant);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ tenant_id: tenant.tenantId, source: 'tenant' });
  });

  it('answers 403 to a PUT or DELETE without platform:admin, and changes nothing', async () => {
    const answer = await put(h.tenantA, h.tenantA.tenantId, { gpus: { 'A100-80GB': { nominal: 8 } } });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'forbidden' });
    expect((await h.http('DELETE', `${quotasPath()}/default`, { caller: h.tenantA })).status).toBe(403);
    expect((await getOne(h.tenantA, h.tenantA.tenantId)).body.source).not.toBe('tenant');
  });

  it("answers 404 to a tenant asking for another tenant's quota, set or not, without telling which", async () => {
    expect((await put(h.admin, h.tenantB.tenantId, { gpus: { 'A100-80GB': { nominal: 2 } } })).status).toBe(200);
    const answer = await getOne(h.tenantA, h.tenantB.tenantId);
    expect(answer.status).toBe(404);
    expect((await getOne(h.tenantA, randomUUID())).status).toBe(404);
    expect((await list(h.tenantA)).items.map((item) => item.tenant_id)).toEqual([h.tenantA.tenantId]);
  });

  it('gives a tenant without a quota the default, then the built-in default once the default is deleted', async () => {
    const tenant = await h.caller(['job:view']);
    const cluster = await sharedCluster({ admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 0 });
    expect((await getOne(tenant, tenant.tenantId, cluster)).body).toMatchObject({
      source: 'built-in',
      tenant_id: tenant.tenantId,
      gpus: {},
      weight: 1,
      cohort: true,
      updated_at: null,
    });
    const setDefault = await put(h.admin, 'default', { gpus: { 'H100-80GB': { nominal: 2, borrowing_limit: 0 } }, weight: 3 }, cluster);
    expect(setDefault.status).toBe(200);
    expect(setDefault.body).toMatchObject({ tenant_id: null, source: 'default', usage: null });
    const effective = await getOne(tenant, tenant.tenantId, cluster);
    expect(effective.body).toMatchObject({ tenant_id: tenant.tenantId, source: 'default', weight: 3 });
    expect(effective.body.gpus).toEqual({ 'H100-80GB': { nominal: 2, borrowing_limit: 0 } });
    expect((await getOne(tenant, 'default', cluster)).body).toMatchObject({ tenant_id: null, source: 'default' });

    expect((await h.http('DELETE', `${quotasPath(cluster)}/default`, { caller: h.admin })).status).toBe(204);
    expect((await getOne(tenant, tenant.tenantId, cluster)).body.source).toBe('built-in');
    // Idempotent: nothing left to delete is still a 204.
    expect((await h.http('DELETE', `${quotasPath(cluster)}/default`, { caller: h.admin })).status).toBe(204);
  });

  it("deleting a tenant's quota puts it back on the default, and the driver is told", async () => {
    const tenant = await h.caller(['job:view']);
    expect((await put(h.admin, tenant.tenantId, { gpus: { 'A100-80GB': { nominal: 3 } } })).status).toBe(200);
    const handedBefore = handed.length;
    expect((await h.http('DELETE', `${quotasPath()}/${tenant.tenantId}`, { caller: h.admin })).status).toBe(204);
    expect((await getOne(tenant, tenant.tenantId)).body.source).not.toBe('tenant');
    const given = handed.slice(handedBefore).filter((entry) => entry.clusterId === clusterId);
    expect(given.length).toBeGreaterThan(0);
    expect(given.at(-1)?.quotas.tenants.map((quota) => quota.tenantId)).not.toContain(tenant.tenantId);
  });

  it('a second PUT replaces the quota (one row, version up, created kept)', async () => {
    const tenant = await h.caller(['job:view']);
    expect((await put(h.admin, tenant.tenantId, { gpus: { 'A100-80GB': { nominal: 3 } } })).status).toBe(200);
    const second = await put(h.admin, tenant.tenantId.toUpperCase(), { gpus: { 'H100-80GB': { nominal: 1 } }, cohort: false });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      tenant_id: tenant.tenantId,
      gpus: { 'H100-80GB': { nominal: 1, borrowing_limit: null } },
      cohort: false,
    });
    const row = await h.service.app.get(QuotaRepository).find(clusterId, tenant.tenantId);
    expect(row?.version).toBe(2);
    const admin = await list(h.admin);
    expect(admin.items.filter((item) => item.tenant_id === tenant.tenantId)).toHaveLength(1);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a negative GPU amount', { gpus: { 'A100-80GB': { nominal: -1 } } }, 'gpus.A100-80GB.nominal', /./],
    ['a negative borrowing limit', { gpus: { 'A100-80GB': { nominal: 1, borrowing_limit: -2 } } }, 'gpus.A100-80GB.borrowing_limit', /./],
    ['a fractional GPU amount', { gpus: { 'A100-80GB': { nominal: 1.5 } } }, 'gpus.A100-80GB.nominal', /./],
    [
      'a GPU product the cluster neither has nor prices',
      { gpus: { B200: { nominal: 1 } } },
      'gpus.B200',
      /not a GPU product of this cluster/,
    ],
    ['a malformed GPU product name', { gpus: { 'a b': { nominal: 1 } } }, 'gpus["a b"]', /./],
    [
      'a borrowing limit without the cohort',
      { gpus: { 'A100-80GB': { nominal: 1, borrowing_limit: 2 } }, cohort: false },
      'gpus.A100-80GB.borrowing_limit',
      /cohort/,
    ],
    [
      'a CPU borrowing limit without the cohort',
      { cpu: { nominal: '4', borrowing_limit: '2' }, cohort: false },
      'cpu.borrowing_limit',
      /cohort/,
    ],
    ['a weight of 0', { weight: 0 }, 'weight', /at least 0.01/],
    ['a negative weight', { weight: -1 }, 'weight', /./],
    ['a negative CPU amount', { cpu: { nominal: '-1' } }, 'cpu.nominal', /./],
    ['a memory amount that is no quantity', { memory: { nominal: 'lots' } }, 'memory.nominal', /./],
    ['an unknown field', { gpus: {}, colour: 'red' }, 'colour', /not a known field/],
    ['a body that is no object', [1, 2], '(root)', /./],
  ])('answers 422 to %s, naming the field, and writes nothing', async (_, body, path, message) => {
    const tenant = await h.caller(['job:view']);
    expect422(await put(h.admin, tenant.tenantId, body), path, message);
    expect(await h.service.app.get(QuotaRepository).find(clusterId, tenant.tenantId)).toBeNull();
  });

  it('accepts a GPU product only in the price table (nodes with it may join later) and rejects none of the inventory', async () => {
    const tenant = await h.caller(['job:view']);
    // L4 is in the default price table, not in this cluster's inventory.
    const answer = await put(h.admin, tenant.tenantId, { gpus: { L4: { nominal: 2 }, 'A100-80GB': { nominal: 1 } } });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.gpus).sort()).toEqual(['A100-80GB', 'L4']);
  });

  it.each([
    ['GET', 'not-a-uuid'],
    ['PUT', 'not-a-uuid'],
    ['DELETE', '12345'],
    ['GET', 'DEFAULT'],
  ])('answers %s with the bad tenant id %s in the path with 422 naming tenant_id', async (method, tenant) => {
    const answer = await h.http(method, `${quotasPath()}/${tenant}`, { caller: h.admin, body: method === 'PUT' ? {} : undefined });
    expect422(answer, 'tenant_id', /tenant id \(UUID\) or default/);
  });

  it.each([
    ['GET', '?colour=red', 'colour'],
    ['GET', '/default?page=2', 'page'],
    ['PUT', '/default?force=true', 'force'],
    ['DELETE', '/default?force=true', 'force'],
  ])('answers %s with an unknown query parameter (%s) with 422 naming it', async (method, suffix, name) => {
    const answer = await h.http(method, `${quotasPath()}${suffix}`, { caller: h.admin, body: method === 'PUT' ? {} : undefined });
    expect422(answer, `query.${name}`, /not a known query parameter/);
  });

  it('answers 404 for a cluster the caller cannot see and 422 for a bad cluster id', async () => {
    const own = await h.newSimulatedCluster(h.tenantB);
    expect((await getOne(h.tenantA, h.tenantA.tenantId, own)).status).toBe(404);
    expect((await list(h.tenantB, own)).items).toHaveLength(1);
    expect422(await h.http('GET', `/api/v1/clusters/nope/quotas`, { caller: h.admin }), 'cluster_id');
  });

  it('accepts a quota below what the tenant uses: nothing running is evicted, the excess shows as borrowed', async () => {
    const tenant = await h.caller(['job:view', 'job:manage']);
    const id = await createJob(tenant, gpuJob(2, 2));
    await pollUntil(
      () => jobOf(tenant, id),
      (job) => job.status === 'running',
      { what: 'the job runs' },
    );
    const lowered = await put(h.admin, tenant.tenantId, { gpus: { 'A100-80GB': { nominal: 1, borrowing_limit: 0 } } });
    expect(lowered.status).toBe(200);
    expect(lowered.body.usage?.gpus['A100-80GB']).toEqual({ admitted: 4, borrowed: 3, queued: 0 });
    expect(lowered.body.usage).toMatchObject({ cpu: '1', memory: '1Gi' });
    // The owner's driver has been given the lowered quota (synchronously, on this replica) and still runs the job.
    expect((await jobOf(tenant, id)).status).toBe('running');
    const admin = await list(h.admin);
    expect(admin.items.find((item) => item.tenant_id === tenant.tenantId)?.usage?.gpus['A100-80GB']).toEqual({
      admitted: 4,
      borrowed: 3,
      queued: 0,
    });
  });

  it("counts waiting jobs' GPUs as queued, per tenant, in the admin's list (tenants with work but no quota too)", async () => {
    const tenant = await h.caller(['job:view', 'job:manage']);
    await createJob(tenant, gpuJob(1, 3), slowClusterId);
    await createJob(tenant, containerJob(), slowClusterId);
    const admin = await list(h.admin, slowClusterId);
    expect(admin.items[0]).toMatchObject({ tenant_id: null, source: 'built-in', usage: null });
    expect(admin.items.find((item) => item.tenant_id === tenant.tenantId)).toMatchObject({
      source: 'built-in',
      usage: { gpus: { 'A100-80GB': { admitted: 0, borrowed: 0, queued: 3 } }, cpu: '0', memory: '0' },
    });
  });

  it("hands the owner's driver a quota another replica wrote, at the owner's next check", async () => {
    const tenant = randomUUID();
    const handedBefore = handed.length;
    const now = new Date();
    // Straight into the table, as a PUT on a replica that does not own the cluster leaves it.
    await h.service.app.get(QuotaRepository).upsert({
      id: randomUUID(),
      clusterId: slowClusterId,
      tenantId: tenant,
      gpus: { 'H100-80GB': { nominal: 5, borrowing_limit: null } },
      cpu: null,
      memory: null,
      weight: 1,
      cohort: true,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    const given = await pollUntil(
      () => handed.slice(handedBefore).find((entry) => entry.clusterId === slowClusterId),
      (entry) => entry !== undefined,
      { what: 'the owner hands the new quota to the driver' },
    );
    expect(given?.quotas.tenants.find((quota) => quota.tenantId === tenant)?.gpus).toEqual({
      'H100-80GB': { nominal: 5, borrowingLimit: null },
    });
  });

  it('records the queue position, flavor and workload name a driver reports, also while the status stays queued', async () => {
    const tenant = await h.caller(['job:view', 'job:manage']);
    const id = await createJob(tenant, gpuJob(1), slowClusterId);
    // The slow cluster reports nothing for a day: the observations below are the only ones.
    expect((await jobOf(tenant, id, slowClusterId)).status).toBe('pending');
    const lifecycle = h.service.app.get(JobLifecycleService);
    await lifecycle.observe({ jobId: id, status: 'queued', reason: 'Pending', queuePosition: 7, workloadName: 'job-w-abcde' });
    const queued = await jobOf(tenant, id, slowClusterId);
    expect(queued).toMatchObject({ status: 'queued', queue_position: 7, kueue_workload_name: 'job-w-abcde', admitted_flavor: null });
    await lifecycle.observe({ jobId: id, status: 'queued', reason: 'Pending', queuePosition: 6 });
    const moved = await jobOf(tenant, id, slowClusterId);
    expect(moved).toMatchObject({ queue_position: 6, kueue_workload_name: 'job-w-abcde' });
    expect(moved.version).toBe(queued.version + 1);
    await lifecycle.observe({ jobId: id, status: 'admitted', reason: 'QuotaReserved', admittedFlavor: 'gpu-a100-80gb' });
    expect(await jobOf(tenant, id, slowClusterId)).toMatchObject({
      status: 'admitted',
      queue_position: null,
      admitted_flavor: 'gpu-a100-80gb',
    });
  });
});
