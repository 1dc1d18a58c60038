import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { signToken } from '@bud/auth';
import { ServiceProcess, TestEventSubscriber, createTestDatabase, freePort, pollUntil } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';
import { JWT_SECRET, containerJob, testBudclusterEnv } from '../support/harness';

describe('job events survive a relay killed mid-flight', () => {
  let db: TestDatabase;
  let subscriber: TestEventSubscriber;
  let sql: Client;
  let service: ServiceProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    subscriber = new TestEventSubscriber(['job-events']);
    await subscriber.start();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await service?.stop();
    await sql.end();
    await subscriber.stop();
    await db.drop();
  });

  const startService = async (port: number) => {
    service = new ServiceProcess(
      'dist/apps/budcluster/src/main.js',
      { ...testBudclusterEnv(db, subscriber.url), OUTBOX_LEASE_MS: '500' },
      port,
    );
    await service.start();
  };

  it('delivers every outbox event at least once after a SIGKILL and restart', async () => {
    const port = await freePort();
    await startService(port);
    const tenantId = randomUUID();
    const token = await signToken(JWT_SECRET, { sub: randomUUID(), tenant_id: tenantId, scopes: ['job:manage', 'job:view'] });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const clusters = (await (await fetch(`${service.url}/api/v1/clusters`, { headers })).json()) as {
      items: Array<{ id: string; name: string }>;
    };
    const local = clusters.items.find((c) => c.name === 'local')!;

    // Slow acknowledgements keep events in flight when the process dies.
    subscriber.delayMs = 3000;
    for (let i = 0; i < 10; i++) {
      const answer = await fetch(`${service.url}/api/v1/clusters/${local.id}/jobs`, {
        method: 'POST',
        headers,
        body: JSON.stringify(containerJob()),
      });
      expect(answer.status).toBe(201);
    }
    await pollUntil(
      () => subscriber.arrivals,
      (n) => n >= 3,
      { what: 'some events in flight' },
    );
    await service.kill();

    const { rows: before } = await sql.query(`SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished FROM outbox`);
    expect(before[0].unpublished).toBeGreaterThan(0);

    subscriber.delayMs = 0;
    await startService(port);
    await pollUntil(
      async () => (await sql.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n,
      (n) => n === 0,
      {
        what: 'outbox drained after restart',
        timeoutMs: 30_000,
      },
    );
    const { rows } = await sql.query(`SELECT event->>'id' AS id FROM outbox`);
    const delivered = new Set(subscriber.received.map((e) => e.id));
    const missing = rows.map((r: { id: string }) => r.id).filter((id: string) => !delivered.has(id));
    expect(missing).toEqual([]);
  });
});
