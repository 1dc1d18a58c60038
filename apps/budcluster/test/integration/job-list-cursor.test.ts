import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { encodeCursor, filterFingerprint, jobResponseSchema, pageOf } from '@bud/contracts';
import type { JobResponse } from '@bud/contracts';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

const jobPage = { schema: pageOf(jobResponseSchema) };
const ROWS = 60;

/**
 * docs/design.md#lists-and-pagination: `?cursor=` pages through the jobs of a cluster newest first, each row exactly
 * once, however many share a created_at and whatever is created meanwhile; a cursor that is not a next_cursor of the
 * same list is a 422 naming it.
 */
describe('job list cursors', () => {
  let h: Harness;
  let db: DataSource;
  let clusterId: string;
  let path: string;
  beforeAll(async () => {
    h = await startHarness();
    clusterId = await h.newSimulatedCluster(h.tenantA);
    path = `/api/v1/clusters/${clusterId}/jobs`;
    db = h.service.app.get(DataSource);
    // Rows three to a created_at, and neighbours a microsecond apart that a JS Date could not tell apart.
    await db.query(
      `INSERT INTO jobs (id, name, cluster_id, tenant_id, created_by, job_type, deployment_type, source_type, spec, resources,
                         priority_class, priority, policy, labels, status, k8s_namespace, estimated_cost_per_hour, created_at, updated_at)
       SELECT gen_random_uuid(), 'seeded-' || n, $1, $2, $2, 'batch', 'docker', 'direct', '{"kind":"container","image":"busybox:1","env":{},"ports":[]}',
              '{"gpu_count":0,"cpu_request":"1","memory_request":"1Gi","replicas":1}', 'normal', 10,
              '{"preemptible":false,"max_retries":3,"retry_delay_seconds":30,"scale_to_zero":false}', jsonb_build_object('shard', (n % 2)::text),
              (ARRAY['succeeded','failed','cancelled'])[1 + n % 3], 'seeded', 0.5,
              timestamptz '2026-03-01 12:00:00' - ((n / 6) || ' seconds')::interval - ((n % 6 / 3) || ' microseconds')::interval, now()
         FROM generate_series(1, $3::int) AS n`,
      [clusterId, h.tenantA.tenantId, ROWS],
    );
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  async function expectedIds(where = ''): Promise<string[]> {
    const rows = await db.query<Array<{ id: string }>>(
      `SELECT id FROM jobs WHERE cluster_id = $1 ${where} ORDER BY created_at DESC, id DESC`,
      [clusterId],
    );
    return rows.map((row) => row.id);
  }

  /** Every page of `query` by cursor; `between` runs after each page. */
  async function walk(query: string, between: (page: number) => Promise<void> = async () => {}): Promise<JobResponse[]> {
    const seen: JobResponse[] = [];
    let cursor: string | null | undefined;
    for (let page = 0; page < 100; page++) {
      const answer = await h.http('GET', `${path}?${query}${cursor ? `&cursor=${cursor}` : ''}`, jobPage);
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items);
      cursor = answer.body.next_cursor;
      if (!cursor) return seen;
      await between(page);
    }
    throw new Error('the walk did not end');
  }

  it('returns every row exactly once, newest first, across pages that split rows sharing a created_at', async () => {
    const ids = (await walk('page_size=7')).map((job) => job.id);
    expect(ids).toEqual(await expectedIds());
    expect(new Set(ids).size).toBe(ROWS);
  });

  it('stays on its rows while newer jobs are created between pages, where an offset would shift', async () => {
    const before = await expectedIds();
    const created: string[] = [];
    const ids = (
      await walk('page_size=9', async () => {
        const answer = await h.http('POST', path, {
          body: {
            name: `new-${randomUUID().slice(0, 8)}`,
            job_type: 'batch',
            spec: { kind: 'container', image: 'busybox:1.36' },
            resources: { cpu_request: '100m', memory_request: '64Mi' },
          },
        });
        expect(answer.status).toBe(201);
        created.push(answer.body.id);
      })
    ).map((job) => job.id);
    expect(created.length).toBeGreaterThan(3);
    expect(ids).toEqual(before);
  });

  it('honours the filters on every page', async () => {
    const jobs = await walk('status=failed,cancelled&labels=shard=1&page_size=4');
    expect(jobs.map((job) => job.id)).toEqual(
      await expectedIds(`AND status IN ('failed', 'cancelled') AND labels @> '{"shard":"1"}' AND name LIKE 'seeded-%'`),
    );
    expect(jobs.every((job) => ['failed', 'cancelled'].includes(job.status) && job.labels.shard === '1')).toBe(true);
  });

  it('reads a filter value given twice once: no row twice, the total counted once', async () => {
    const once = await h.http('GET', `${path}?status=failed&page_size=100`, jobPage);
    const twice = await h.http('GET', `${path}?status=failed,failed,failed&page_size=100`, jobPage);
    expect(twice.body.items.map((job) => job.id)).toEqual(once.body.items.map((job) => job.id));
    expect(twice.body.total).toBe(once.body.total);
    expect(new Set(twice.body.items.map((job) => job.id)).size).toBe(twice.body.items.length);
  });

  it("refuses another cluster's cursor with 422 naming query.cursor instead of paging from its position", async () => {
    const other = await h.newSimulatedCluster(h.tenantA);
    const first = await h.http('GET', `${path}?page_size=5`, jobPage);
    const answer = await h.http('GET', `/api/v1/clusters/${other}/jobs?page_size=5&cursor=${first.body.next_cursor}`);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed', details: [{ path: 'query.cursor' }] });
  });

  it('gives a cursor from a numbered page too, and none on the last page', async () => {
    const second = await h.http('GET', `${path}?page=2&page_size=10&status=succeeded`, jobPage);
    const next = await h.http('GET', `${path}?page_size=10&status=succeeded&cursor=${second.body.next_cursor}`, jobPage);
    const third = await h.http('GET', `${path}?page=3&page_size=10&status=succeeded`, jobPage);
    expect(next.body.items.map((job) => job.id)).toEqual(third.body.items.map((job) => job.id));
    const last = await h.http('GET', `${path}?page_size=100&status=succeeded`, jobPage);
    expect(last.body).toMatchObject({ next_cursor: null, total_kind: 'exact', total: last.body.items.length });
  });

  const garbage = (json: string) => Buffer.from(json).toString('base64url');
  const micros = '1772366400000000';
  it.each([
    ['garbage', 'not-a-cursor'],
    ['characters outside base64url', 'abc%2F%2B%3D'],
    ['base64url of no JSON', garbage('{{{')],
    ['the wrong shape', garbage('{"a":1}')],
    ['another version', garbage(JSON.stringify([2, micros, randomUUID(), '0123456789abcdef']))],
    ['a time outside any timestamp', garbage(JSON.stringify([1, '9'.repeat(18), randomUUID(), '0123456789abcdef']))],
    ['a number where the time goes', garbage(JSON.stringify([1, 1772366400000000, randomUUID(), '0123456789abcdef']))],
    ['an id that is no UUID', garbage(JSON.stringify([1, micros, "x' OR 1=1 --", '0123456789abcdef']))],
    ['more than 512 characters', 'A'.repeat(513)],
    [
      'the cursor of another filter',
      encodeCursor({ createdAtMicros: micros, id: randomUUID() }, filterFingerprint({ status: ['failed'] })),
    ],
  ])('answers a cursor that is %s with 422 naming query.cursor', async (_name, cursor) => {
    const answer = await h.http('GET', `${path}?status=succeeded&cursor=${cursor}`);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed', details: [{ path: 'query.cursor' }] });
  });

  it('answers a cursor with a page past the first with 422 naming query.page', async () => {
    const first = await h.http('GET', `${path}?page_size=5`, jobPage);
    const answer = await h.http('GET', `${path}?page=2&page_size=5&cursor=${first.body.next_cursor}`);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed', details: [{ path: 'query.page' }] });
  });
});
