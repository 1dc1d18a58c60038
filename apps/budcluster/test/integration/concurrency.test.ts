import { Client } from 'pg';
import { errorBodySchema, jobResponseSchema, jobStatuses } from '@bud/contracts';
import { allowedTransitions } from '../../src/domain/job-status-machine';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

describe('concurrency and the database-enforced status machine', () => {
  let h: Harness;
  let clusterId: string;
  let db: Client;
  beforeAll(async () => {
    h = await startHarness();
    // A slow cluster, so jobs stay put while the test works on them.
    clusterId = await h.newSimulatedCluster(h.tenantA, { admit_delay_ms: 3_600_000 });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.stop();
  });
  const path = () => `/api/v1/clusters/${clusterId}/jobs`;

  it('creates exactly one job for 100 concurrent creates with the same idempotency key', async () => {
    const body = containerJob({ idempotency_key: 'burst-1' });
    const answers = await Promise.all(Array.from({ length: 100 }, () => h.http('POST', path(), { body })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(99);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE idempotency_key = 'burst-1'`);
    expect(rows[0].n).toBe(1);
    const events = await db.query(`SELECT count(*)::int AS n FROM outbox WHERE event->'data'->>'job_id' = $1`, [answers[0].body.id]);
    expect(events.rows[0].n).toBe(1);
  });

  it('answers each of 60 concurrent creates as its own (written together: settled, new namespaces, repeated keys), each job with one event and one outbox row', async () => {
    const plain = Array.from({ length: 40 }, () => containerJob());
    const ownNamespaces = Array.from({ length: 10 }, (_, i) => containerJob({ k8s_namespace: `burst-ns-${i}-${Date.now()}` }));
    const keyed = Array.from({ length: 10 }, (_, i) => containerJob({ name: `keyed-${i % 5}`, idempotency_key: `mixed-${i % 5}` }));
    const bodies = [...plain, ...ownNamespaces, ...keyed];
    const answers = await Promise.all(bodies.map((body) => h.http('POST', path(), { body, schema: jobResponseSchema })));
    for (const [i, answer] of answers.entries()) {
      expect([201, 200]).toContain(answer.status);
      expect(answer.body).toMatchObject({ name: bodies[i]?.name, status: 'pending' });
    }
    expect(answers.slice(0, 50).every((a) => a.status === 201)).toBe(true);
    for (let key = 0; key < 5; key++) {
      const pair = [answers[50 + key], answers[55 + key]];
      expect(pair.map((a) => a?.status).sort()).toEqual([200, 201]);
      expect(pair[0]?.body.id).toBe(pair[1]?.body.id);
    }
    const ids = [...new Set(answers.map((a) => a.body.id))];
    expect(ids).toHaveLength(55);
    const { rows } = await db.query(
      `SELECT j.id, (SELECT count(*)::int FROM job_events e WHERE e.job_id = j.id) AS events,
              (SELECT count(*)::int FROM outbox o WHERE o.event->'data'->>'job_id' = j.id::text) AS outbox
         FROM jobs j WHERE j.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toHaveLength(55);
    expect(rows.every((row: { events: number; outbox: number }) => row.events === 1 && row.outbox === 1)).toBe(true);
  });

  it('lets exactly one of 50 concurrent PATCHes at the same version win; the rest get 409', async () => {
    const job = (await h.http('POST', path(), { body: containerJob() })).body;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.http('PATCH', `${path()}/${job.id}`, { body: { version: job.version, labels: { writer: `w${i}` } } }),
      ),
    );
    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(49);
    const final = (await h.http('GET', `${path()}/${job.id}`)).body;
    expect(final.version).toBe(job.version + 1);
    expect(final.labels).toEqual(winners[0].body.labels);
  });

  it('applies each of 50 concurrent unversioned PATCHes it accepts at its own next version, losing none, and refuses the rest whole', async () => {
    const job = (await h.http('POST', path(), { schema: jobResponseSchema, body: containerJob() })).body;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.http('PATCH', `${path()}/${job.id}`, {
          schema: jobResponseSchema.or(errorBodySchema),
          body: { policy: { retry_delay_seconds: i + 1 } },
        }),
      ),
    );
    const applied = answers.flatMap((a) => (a.status === 200 && 'version' in a.body ? [a.body] : []));
    const refused = answers.flatMap((a) => (a.status === 409 && 'error' in a.body ? [a.body.error] : []));
    expect(applied.length).toBeGreaterThan(0);
    expect(refused).toEqual(Array.from({ length: 50 - applied.length }, () => 'conflict'));
    const versions = applied.map((a) => a.version).sort((x, y) => x - y);
    expect(versions).toEqual(applied.map((_, i) => job.version + i + 1));
    const last = applied.find((a) => a.version === versions.at(-1));
    const final = (await h.http('GET', `${path()}/${job.id}`, { schema: jobResponseSchema })).body;
    expect([final.version, final.policy.retry_delay_seconds]).toEqual([job.version + applied.length, last?.policy.retry_delay_seconds]);
  });

  it('lets the database accept only the status moves of docs/design.md#job-status-machine', async () => {
    const job = (await h.http('POST', path(), { body: containerJob() })).body;
    for (const from of jobStatuses) {
      for (const to of jobStatuses) {
        if (from === to) continue;
        await db.query(`ALTER TABLE jobs DISABLE TRIGGER jobs_status_transition`);
        await db.query(`UPDATE jobs SET status = $2 WHERE id = $1`, [job.id, from]);
        await db.query(`ALTER TABLE jobs ENABLE TRIGGER jobs_status_transition`);
        const attempt = db.query(`UPDATE jobs SET status = $2 WHERE id = $1`, [job.id, to]);
        if (allowedTransitions[from].includes(to)) await expect(attempt).resolves.toBeDefined();
        else await expect(attempt).rejects.toThrow(/invalid job status transition/);
      }
    }
  });
});
