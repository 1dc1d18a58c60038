import { Client } from 'pg';
import { createTestDatabase, pollUntil } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';
import { AdvisoryLockOwnership } from '../../src/drivers/advisory-lock-ownership';
import type { ClusterWork } from '../../src/drivers/cluster-ownership';

/**
 * Two replicas' cluster ownership on one PostgreSQL server (`*.server.test.ts`: TEST_DATABASE_URL only):
 * one owner at a time, work handed to it, and a lost lock session makes its replica step down.
 */
describe('advisory-lock cluster ownership', () => {
  let db: TestDatabase;
  let admin: Client;
  const opened: AdvisoryLockOwnership[] = [];
  const replica = () => {
    const ownership = new AdvisoryLockOwnership({ databaseUrl: db.url, checkMs: 200 });
    opened.push(ownership);
    return ownership;
  };

  beforeAll(async () => {
    if (!process.env.TEST_DATABASE_URL) throw new Error('cluster ownership needs a PostgreSQL server: set TEST_DATABASE_URL');
    db = await createTestDatabase();
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    for (const ownership of opened) await ownership.close();
    await admin?.end();
    await db?.drop();
  });

  it('gives a cluster one owner, and the other replica takes it once the owner closes', async () => {
    const [a, b] = [replica(), replica()];
    expect(await a.acquire('cluster-1')).toBe(true);
    expect(await b.acquire('cluster-1')).toBe(false);
    expect(await b.acquire('cluster-2')).toBe(true);
    expect(await a.acquire('cluster-2')).toBe(false);
    await a.close();
    expect(await b.acquire('cluster-1')).toBe(true);
  });

  it('hands work from any replica to the listening owner', async () => {
    const [owner, other] = [replica(), replica()];
    const received: ClusterWork[] = [];
    owner.onWork((work) => received.push(work));
    expect(await owner.acquire('cluster-3')).toBe(true);
    await other.handOver({ clusterId: 'cluster-3', jobId: 'job-1', action: 'apply' });
    await pollUntil(
      () => received,
      (works) => works.length === 1,
      { what: 'work delivered' },
    );
    expect(received).toEqual([{ clusterId: 'cluster-3', jobId: 'job-1', action: 'apply' }]);
  });

  it('steps down when its lock session is cut, and the other replica takes over', async () => {
    const [owner, other] = [replica(), replica()];
    let lost = 0;
    owner.onLost(() => lost++);
    expect(await owner.acquire('cluster-4')).toBe(true);
    expect(await other.acquire('cluster-4')).toBe(false);
    // The server ends the owner's session, as it does for a client it can no longer reach.
    await admin.query(
      // Only this test's database: the other suites on the server hold advisory locks too.
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.objid = hashtext('cluster-4')::oid AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await pollUntil(
      () =>
        owner.heartbeat().then(
          () => lost,
          () => lost,
        ),
      (count) => count === 1,
      { what: 'the owner stepped down' },
    );
    // The ended backend lets go of its lock as it exits, a moment after the owner hears of it.
    await pollUntil(
      () => other.acquire('cluster-4'),
      (taken) => taken,
      { what: 'the other replica took the cluster' },
    );
    // The old owner competes again on a new session, and loses.
    expect(await owner.acquire('cluster-4')).toBe(false);
  });
});
