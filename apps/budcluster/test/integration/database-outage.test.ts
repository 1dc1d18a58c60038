import { TcpFaultProxy, createTestDatabase, pollUntil } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

describe('Postgres unavailable for a while', () => {
  let db: TestDatabase;
  let proxy: TcpFaultProxy;
  let h: Harness;
  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new TcpFaultProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    h = await startHarness({ DATABASE_URL: viaProxy.toString(), DATABASE_POOL_SIZE: String(db.poolSize) });
  });
  afterAll(async () => {
    await h.stop();
    await proxy.stop();
    await db.drop();
  });

  it('answers 503 with a clear message meanwhile, recovers without a restart, and loses no acknowledged write', async () => {
    const clusterId = h.localClusterId;
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
      expect(created.status).toBe(201);
      acknowledged.push(created.body.id);
    }

    proxy.sever();
    const during = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ error: 'service_unavailable', message: expect.stringMatching(/database is unavailable/) });
    const ready = await h.http('GET', '/readyz', { caller: null as never });
    expect(ready.status).toBe(503);

    proxy.restore();
    await pollUntil(
      () => h.http('GET', '/readyz', { caller: null as never }),
      (a) => a.status === 200,
      { what: 'ready again', timeoutMs: 20_000 },
    );
    const after = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
    expect(after.status).toBe(201);
    acknowledged.push(after.body.id);
    for (const id of acknowledged) expect((await h.http('GET', `/api/v1/clusters/${clusterId}/jobs/${id}`)).status).toBe(200);
  });
});
