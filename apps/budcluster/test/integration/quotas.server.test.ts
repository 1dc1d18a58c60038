import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { QuotaResponse } from '@bud/contracts';
import { callApi, pollUntil } from '@bud/testing';
import { startBudcluster } from '../../src/budcluster.app';
import type { RunningBudcluster } from '../../src/budcluster.app';
import { loadBudclusterConfig } from '../../src/config/budcluster.config';
import type { ClusterQuotas } from '../../src/domain/quota-model';
import { DriverRegistry } from '../../src/drivers/driver-registry.service';
import { startHarness, testBudclusterEnv } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * docs/design.md#quotas with two replicas on one PostgreSQL server (`*.server.test.ts`: TEST_DATABASE_URL only): the
 * upsert's ON CONFLICT on the partial unique indexes leaves one row per tenant and one default per cluster however
 * many PUTs race on separate connections, and a PUT through the replica that does not own the cluster reaches the
 * owner's driver at the owner's next check.
 */
describe('quotas across replicas', () => {
  let h: Harness;
  let other: RunningBudcluster;
  let clusterId: string;
  let db: Client;
  const handed: ClusterQuotas[] = [];

  beforeAll(async () => {
    if (!process.env.TEST_DATABASE_URL) throw new Error('quotas across replicas need a PostgreSQL server: set TEST_DATABASE_URL');
    h = await startHarness({ CLUSTER_OWNERSHIP_CHECK_MS: '200' });
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: { name: `quotas-${randomUUID().slice(0, 6)}`, type: 'simulated', shared: true, settings: { admit_delay_ms: 0 } },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
    const driver = await h.service.app.get(DriverRegistry).driverOf(clusterId);
    if (!driver) throw new Error('the first replica does not own the cluster');
    const original = driver.updateQuotas.bind(driver);
    driver.updateQuotas = (quotas: ClusterQuotas) => {
      handed.push(quotas);
      original(quotas);
    };
    other = await startBudcluster(
      loadBudclusterConfig({ PORT: '0', ...testBudclusterEnv(h.db, h.subscriber.url), CLUSTER_OWNERSHIP_CHECK_MS: '200' }),
    );
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await other?.stop();
    await h?.stop();
  });

  const putThrough = (url: string, tenant: string, nominal: number) =>
    callApi<QuotaResponse>(url, h.admin, 'PUT', `/api/v1/clusters/${clusterId}/quotas/${tenant}`, {
      body: { gpus: { 'A100-80GB': { nominal } } },
    });
  const rowsOf = async (tenant: string | null) =>
    (
      await db.query<{ version: number; gpus: Record<string, { nominal: number }> }>(
        'SELECT version, gpus FROM cluster_quotas WHERE cluster_id = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid',
        [clusterId, tenant],
      )
    ).rows;

  it('the second replica does not own the cluster', async () => {
    expect(await other.app.get(DriverRegistry).driverOf(clusterId)).toBeUndefined();
  });

  it.each([
    ['a tenant', () => randomUUID()],
    ['the default', () => 'default'],
  ])('leaves one row with every PUT counted when 20 PUTs of %s race through both replicas', async (_, tenantOf) => {
    const tenant = tenantOf();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (__, i) => putThrough(i % 2 === 0 ? h.service.url : other.url, tenant, i)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    const rows = await rowsOf(tenant === 'default' ? null : tenant);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.version).toBe(20);
    // The row holds the last write's values: one of the twenty, whole.
    expect(answers.map((answer) => answer.body.gpus['A100-80GB']?.nominal)).toContain(rows[0]?.gpus['A100-80GB']?.nominal);
  });

  it('refuses a second default row for the cluster, and a second row of one tenant, in the table itself', async () => {
    const insert = (tenant: string | null) =>
      db.query(
        `INSERT INTO cluster_quotas (id, cluster_id, tenant_id, gpus, cpu, memory, weight, cohort, created_at, updated_at, version)
         VALUES ($1, $2, $3, '{}', NULL, NULL, 1, true, now(), now(), 1)`,
        [randomUUID(), clusterId, tenant],
      );
    const tenant = randomUUID();
    await insert(tenant);
    await expect(insert(tenant)).rejects.toMatchObject({ code: '23505' });
    if ((await rowsOf(null)).length === 0) await insert(null);
    await expect(insert(null)).rejects.toMatchObject({ code: '23505' });
  });

  it("hands a quota PUT through the replica that does not own the cluster to the owner's driver at its next check", async () => {
    const tenant = randomUUID();
    const before = handed.length;
    expect((await putThrough(other.url, tenant, 6)).status).toBe(200);
    const given = await pollUntil(
      () => handed.slice(before).find((quotas) => quotas.tenants.some((quota) => quota.tenantId === tenant)),
      (quotas) => quotas !== undefined,
      { what: "the owner's driver gets the quota" },
    );
    expect(given?.tenants.find((quota) => quota.tenantId === tenant)?.gpus).toEqual({ 'A100-80GB': { nominal: 6, borrowingLimit: null } });

    // A DELETE through it too: the fingerprint changes although no row's updated_at does.
    const afterPut = handed.length;
    const deleted = await callApi(other.url, h.admin, 'DELETE', `/api/v1/clusters/${clusterId}/quotas/${tenant}`);
    expect(deleted.status).toBe(204);
    await pollUntil(
      () => handed.slice(afterPut).find((quotas) => !quotas.tenants.some((quota) => quota.tenantId === tenant)),
      (quotas) => quotas !== undefined,
      { what: "the owner's driver loses the deleted quota" },
    );
  });
});
