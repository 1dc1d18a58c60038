import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { callApi, pollUntil } from '@bud/testing';
import { startBudcluster } from '../../src/budcluster.app';
import type { RunningBudcluster } from '../../src/budcluster.app';
import { loadBudclusterConfig } from '../../src/config/budcluster.config';
import { DriverRegistry } from '../../src/drivers/driver-registry.service';
import { SimulatedDriver } from '../../src/drivers/simulated/simulated-driver';
import { containerJob, startHarness, testBudclusterEnv } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * docs/design.md#namespaces with two replicas on one PostgreSQL server (`*.server.test.ts`: TEST_DATABASE_URL only).
 * A replica that does not own the cluster cannot ask it, so there the INSERT … ON CONFLICT DO NOTHING of the claim is
 * all that stands between two tenants racing for one name, on separate connections.
 */
describe('namespace claims across replicas', () => {
  let h: Harness;
  let other: RunningBudcluster;
  let clusterId: string;
  let db: Client;
  beforeAll(async () => {
    if (!process.env.TEST_DATABASE_URL) throw new Error('namespace claims across replicas need a PostgreSQL server: set TEST_DATABASE_URL');
    h = await startHarness();
    // Created through the first replica, which takes it: the second never owns it while the first runs.
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: {
        name: `shared-${randomUUID().slice(0, 6)}`,
        type: 'simulated',
        shared: true,
        settings: { admit_delay_ms: 0, ready_delay_ms: 0 },
      },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
    other = await startBudcluster(loadBudclusterConfig({ PORT: '0', ...testBudclusterEnv(h.db, h.subscriber.url) }));
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await other?.stop();
    await h?.stop();
  });

  const owner = () => h.service.app.get(DriverRegistry);
  const nonOwner = () => other.app.get(DriverRegistry);
  const createThroughNonOwner = (tenant: 'A' | 'B', namespace: string) =>
    callApi<{ id: string }>(other.url, tenant === 'A' ? h.tenantA : h.tenantB, 'POST', `/api/v1/clusters/${clusterId}/jobs`, {
      body: containerJob({ k8s_namespace: namespace }),
    });
  const ownersOf = async (name: string) =>
    (
      await db.query<{ tenant_id: string }>('SELECT tenant_id FROM cluster_namespaces WHERE cluster_id = $1 AND name = $2', [
        clusterId,
        name,
      ])
    ).rows;

  it('has one owner of the cluster: the replica that created it', async () => {
    expect(await owner().driverOf(clusterId)).toBeInstanceOf(SimulatedDriver);
    expect(await nonOwner().driverOf(clusterId)).toBeUndefined();
  });

  it('leaves exactly one owner of each name when two tenants claim it at once through the replica that cannot ask the cluster', async () => {
    const names = Array.from({ length: 10 }, () => `race-${randomUUID().slice(0, 8)}`);
    const answers = await Promise.all(names.flatMap((name) => [createThroughNonOwner('A', name), createThroughNonOwner('B', name)]));
    for (const [index, name] of names.entries()) {
      const [a, b] = [answers[2 * index], answers[2 * index + 1]];
      expect([a?.status, b?.status].sort()).toEqual([201, 422]);
      const loser = a?.status === 422 ? a : b;
      expect(loser?.body).toMatchObject({ details: [{ path: 'k8s_namespace', message: 'is not a namespace of your tenant' }] });
      const winner = a?.status === 201 ? h.tenantA : h.tenantB;
      expect(await ownersOf(name)).toEqual([{ tenant_id: winner.tenantId }]);
    }
  });

  it("records a non-owner's claim, and the owner's apply creates the namespace for that tenant on the cluster", async () => {
    const name = `recorded-${randomUUID().slice(0, 8)}`;
    expect((await createThroughNonOwner('A', name)).status).toBe(201);
    expect(await ownersOf(name)).toEqual([{ tenant_id: h.tenantA.tenantId }]);
    const driver = (await owner().driverOf(clusterId)) as SimulatedDriver;
    // The hand-over to the owner (LISTEN/NOTIFY, or its pending sweep) places the job, ensuring its namespace.
    const held = await pollUntil(
      () => driver.namespace(name),
      (ns) => ns !== undefined,
      { what: 'the namespace on the simulated cluster', timeoutMs: 15_000 },
    );
    expect(held?.tenantId).toBe(h.tenantA.tenantId);
    // Now B is refused by the row on either replica, and the cluster would refuse it too.
    expect((await createThroughNonOwner('B', name)).status).toBe(422);
    expect(
      (await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { caller: h.tenantB, body: containerJob({ k8s_namespace: name }) }))
        .status,
    ).toBe(422);
  });
});
