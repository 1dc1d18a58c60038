import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { jobResponseSchema, pageOf } from '@bud/contracts';
import type { Caller } from '../support/harness';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

const ROWS = 120_000;
const jobPage = { schema: pageOf(jobResponseSchema) };
const deployment = (n: number) => `00000000-0000-4000-8001-${String(n).padStart(12, '0')}`;
const project = (n: number) => `00000000-0000-4000-8002-${String(n).padStart(12, '0')}`;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * docs/design.md#lists-and-pagination on a real PostgreSQL server (`*.server.test.ts`: TEST_DATABASE_URL only):
 * for every filter of GET /clusters/{id}/jobs, and the combinations the UI and CLI send, the statements the list
 * runs over 120k rows read their rows from an index in page order: no Seq Scan on jobs, no Sort of more than a few
 * pages' worth of rows (100), no walk that throws away thousands of rows (2,000) to fill a page.
 */
describe('job list plans at 120k rows', () => {
  let h: Harness;
  let db: Client;
  let clusterId: string;
  let statements: Array<{ sql: string; params: unknown[] }> = [];
  beforeAll(async () => {
    if (!process.env.TEST_DATABASE_URL) throw new Error('job list plans need a PostgreSQL server: set TEST_DATABASE_URL');
    h = await startHarness();
    clusterId = await h.newSimulatedCluster(h.tenantA);
    const otherCluster = await h.newSimulatedCluster(h.tenantB);
    db = new Client({ connectionString: h.db.url });
    await db.connect();
    // Common values of every filtered column, and rare ones (1 row in 300: too many to sort for a page, too sparse to
    // find by walking the cluster's list). All finished, so that no driver, sweep or meter works on them meanwhile.
    await db.query(
      `INSERT INTO jobs (id, name, cluster_id, tenant_id, project_id, created_by, job_type, deployment_type, source_type, source_id,
                         usecase_deployment_id, spec, resources, priority_class, priority, policy, labels, status, k8s_namespace,
                         estimated_cost_per_hour, created_at, updated_at)
       SELECT gen_random_uuid(), 'bulk-' || n, CASE WHEN n % 6 = 5 THEN $3::uuid ELSE $1::uuid END, CASE WHEN n % 6 = 5 THEN $4::uuid ELSE $2::uuid END,
              CASE WHEN n % 300 = 19 THEN '${project(99)}'::uuid
                   WHEN n % 4 = 0 THEN ('00000000-0000-4000-8002-' || lpad((n % 10)::text, 12, '0'))::uuid END, $2,
              CASE WHEN n % 300 = 25 THEN 'training' WHEN n % 2 = 0 THEN 'batch' ELSE 'service' END, 'docker',
              CASE WHEN n % 300 = 31 THEN 'pod' WHEN n % 300 = 7 THEN 'pipeline' WHEN n % 300 = 13 OR n % 5 = 2 THEN 'usecase'
                   WHEN n % 5 IN (1, 3) THEN 'pipeline' ELSE 'direct' END,
              CASE WHEN n % 300 = 7 THEN 'src-rare' WHEN n % 300 IN (13, 31) THEN NULL WHEN n % 5 IN (1, 3) THEN 'src-' || (n % 50) END,
              CASE WHEN n % 300 = 13 THEN '${deployment(99)}'::uuid
                   WHEN n % 5 = 2 AND n % 300 NOT IN (7, 31) THEN ('00000000-0000-4000-8001-' || lpad((n % 10)::text, 12, '0'))::uuid END,
              '{"kind":"container","image":"busybox:1","env":{},"ports":[]}', '{"gpu_count":0,"cpu_request":"1","memory_request":"1Gi","replicas":1}',
              'normal', 10, '{"preemptible":false,"max_retries":3,"retry_delay_seconds":30,"scale_to_zero":false}',
              jsonb_build_object('shard', (n % 10)::text, 'run', (n % 1994)::text),
              CASE WHEN n % 300 = 37 THEN 'preempted' ELSE (ARRAY['succeeded','failed','cancelled'])[1 + n % 3] END,
              'bench', 0.5, timestamptz '2026-06-01' - (n / 3 || ' seconds')::interval, now()
         FROM generate_series(1, $5::int) AS n`,
      [clusterId, h.tenantA.tenantId, otherCluster, h.tenantB.tenantId, ROWS],
    );
    await db.query('VACUUM ANALYZE jobs');
    const dataSource = h.service.app.get(DataSource);
    const query = dataSource.query.bind(dataSource);
    jest.spyOn(dataSource, 'query').mockImplementation((sql: string, params?: unknown[]) => {
      statements.push({ sql, params: params ?? [] });
      return query(sql, params);
    });
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await h?.stop();
  });

  /** The list's statements for `query`, each explained with ANALYZE on the same data. */
  async function plansOf(query: string, caller: Caller = h.tenantA): Promise<Array<{ sql: string; nodes: PlanNode[] }>> {
    statements = [];
    const answer = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?${query}`, { ...jobPage, caller });
    expect(answer.status).toBe(200);
    const listed = statements.filter(({ sql }) => /\bFROM jobs\b/.test(sql) && !sql.startsWith('EXPLAIN'));
    expect(listed.length).toBeGreaterThan(0);
    const plans: Array<{ sql: string; nodes: PlanNode[] }> = [];
    for (const { sql, params } of listed) {
      const { rows } = await db.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      plans.push({ sql, nodes: nodes(rows[0]['QUERY PLAN'][0].Plan) });
    }
    return plans;
  }

  function expectIndexed(plans: Array<{ sql: string; nodes: PlanNode[] }>): void {
    for (const { sql, nodes: all } of plans) {
      const where = `in ${sql}`;
      expect({ where, seqScans: all.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'jobs').length }).toEqual({
        where,
        seqScans: 0,
      });
      const sorted = all
        .filter((n) => n['Node Type'] === 'Sort')
        .flatMap((n) => n.Plans ?? [])
        .reduce((sum, child) => sum + (child['Actual Rows'] ?? 0) * (child['Actual Loops'] ?? 1), 0);
      expect({ where, sortedAtMost100: sorted <= 100 }).toEqual({ where, sortedAtMost100: true });
      if (/ORDER BY/.test(sql)) {
        const discarded = all.reduce((sum, n) => sum + (n['Rows Removed by Filter'] ?? 0) * (n['Actual Loops'] ?? 1), 0);
        expect({ where, discardedAtMost2000: discarded <= 2000 }).toEqual({ where, discardedAtMost2000: true });
      }
    }
  }

  it.each([
    ['unfiltered', ''],
    ['one status', 'status=failed'],
    ['a rare status', 'status=preempted'],
    ['the active statuses (UI, CLI --status)', 'status=pending,queued,admitted,running'],
    ['two common statuses', 'status=failed,cancelled'],
    ['a rare job type', 'job_type=training'],
    ['two job types', 'job_type=training,batch'],
    ['a rare source type', 'source_type=pod'],
    ['two source types', 'source_type=pod,usecase'],
    ['a source', 'source_type=pipeline&source_id=src-3'],
    ['a rare source', 'source_type=pipeline&source_id=src-rare'],
    ['a source id alone', 'source_id=src-3'],
    ['a deployment (budusecases)', `source_type=usecase&usecase_deployment_id=${deployment(2)}`],
    ['a project', `project_id=${project(4)}`],
    ['a rare project', `project_id=${project(99)}`],
    ['a rare deployment', `usecase_deployment_id=${deployment(99)}`],
    ['a common label', 'labels=shard=3'],
    ['a rare label', 'labels=run=5'],
    ['two labels', 'labels=shard=3,run=13'],
    ['status and label', 'status=failed&labels=shard=3'],
    ['status and job type', 'status=failed&job_type=training'],
    ['a rare status with a project', `status=preempted&project_id=${project(4)}`],
    ['a deep offset page', 'page=40'],
  ])('reads %s (%s) from an index in page order', async (_name, query) => {
    expectIndexed(await plansOf([query, 'page_size=20'].filter(Boolean).join('&')));
  });

  it('reads cursor pages from an index in page order, for each filter shape', async () => {
    for (const query of [
      '',
      'status=failed',
      'status=preempted,cancelled',
      'labels=shard=3',
      `usecase_deployment_id=${deployment(99)}`,
      'job_type=training',
    ]) {
      const first = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?${query}&page_size=20`, jobPage);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      expectIndexed(await plansOf(`${query}&page_size=20&cursor=${first.body.next_cursor}`));
    }
  });

  it('reads the list of a caller who may see only use-case jobs from the source type index', async () => {
    expectIndexed(await plansOf('page_size=20', await h.caller(['usecase:view'], h.tenantA.tenantId)));
  });

  it('says which kind of total it answers, counting small sets exactly and estimating large ones', async () => {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE cluster_id = $1 AND status = 'preempted'`, [
      clusterId,
    ]);
    const small = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?status=preempted&page_size=5`, jobPage);
    expect(small.body).toMatchObject({ total: rows[0].n, total_kind: 'exact' });
    expect(small.body.total).toBeGreaterThan(50);
    const large = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?page_size=5`, jobPage);
    expect(large.body.total_kind).toBe('estimate');
    // The planner's figure, not a count: near the 100,000 rows of the tenant on the cluster, far from the table's 120,000.
    expect(large.body.total).toBeGreaterThan(80_000);
    expect(large.body.total).toBeLessThan(115_000);
    expect(large.body.total_capped).toBeUndefined();
  });

  it('answers a filter that matches nothing with an empty page and an exact zero', async () => {
    const none = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?source_id=${randomUUID()}`, jobPage);
    expect(none.body).toMatchObject({ items: [], total: 0, total_kind: 'exact', next_cursor: null });
  });
});
