import { Pool } from 'pg';
import { benchTenantCluster, startBenchBudcluster } from './bench-budcluster';
import type { BenchBudcluster } from './bench-budcluster';
import { request } from './http-client';
import type { BenchResult } from './stats';
import { median, percentile, repeat, summarize } from './stats';

const RUNS = 5;
const PAGES = 50;
const FILTERS = ['', '&status=failed', '&labels=shard=3'];
const MEASURED_FILTERS = 'unfiltered, status and label filters';

interface Lister {
  get(query: string): Promise<{ items: unknown[]; next_cursor?: string | null }>;
}

/**
 * GET /jobs of one tenant and cluster at 100k and at 1M rows (docs/design.md#lists-and-pagination): pages 1–50 of 20
 * by number (OFFSET, what old clients do) and by cursor, unfiltered, by status and by label; and what the capped
 * count the list no longer runs for large sets would cost, beside the planner's estimate it answers instead.
 * BENCH_LIST_1M_ROWS lowers the second size where seeding a million rows takes too long; its results then say so.
 */
export async function benchJobsList(serverUrl: string): Promise<BenchResult[]> {
  const bench = await startBenchBudcluster(serverUrl);
  try {
    return await measure(bench);
  } finally {
    await bench.stop();
  }
}

async function measure(bench: BenchBudcluster): Promise<BenchResult[]> {
  const { service, databaseUrl, embedded } = bench;
  const { tenantId, headers, clusterId } = await benchTenantCluster(bench);
  const lister: Lister = {
    async get(query) {
      const answer = await request(`${service.url}/api/v1/clusters/${clusterId}/jobs?${query}`, 'GET', undefined, headers);
      if (answer.status !== 200) throw new Error(`list answered ${answer.status}: ${answer.body}`);
      return JSON.parse(answer.body) as { items: unknown[]; next_cursor?: string | null };
    },
  };
  const raw = new Pool({ connectionString: databaseUrl, max: embedded ? 1 : 10 });
  const results: BenchResult[] = [];
  try {
    let seeded = 0;
    const sizes: Array<[string, number]> = [
      ['100k', 100_000],
      ['1m', Number(process.env.BENCH_LIST_1M_ROWS ?? 1_000_000)],
    ];
    for (const [name, rows] of sizes) {
      const started = performance.now();
      await seedJobs(raw, clusterId, tenantId, seeded, rows - seeded);
      const seedSeconds = Math.round((performance.now() - started) / 100) / 10;
      seeded = rows;
      // Unrecorded walks first: a fresh service's first requests compile and plan, which is not what a list costs.
      await offsetWalk(lister, 0);
      await cursorWalk(lister);
      const size = rows === 1_000_000 || rows === 100_000 ? '' : ` — only ${rows} rows here, not the name's size`;
      results.push(
        summarize(`jobs.list_${name}.p99_ms`, 'ms', await repeat(RUNS, (run) => offsetWalk(lister, run)), {
          note: `pages 1-${PAGES} of 20 by number, ${MEASURED_FILTERS}; ${rows} rows seeded in ${seedSeconds} s${size}`,
        }),
        summarize(`jobs.list_${name}.cursor.p99_ms`, 'ms', await repeat(RUNS, () => cursorWalk(lister)), {
          note: `pages 1-${PAGES} of 20 by next_cursor, ${MEASURED_FILTERS}${size}`,
        }),
        ...(await countCosts(raw, name, clusterId, tenantId, size)),
      );
    }
  } finally {
    await raw.end();
  }
  return results;
}

async function offsetWalk(lister: Lister, run: number): Promise<number> {
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const page = 1 + ((i * 7 + run) % PAGES);
    const started = performance.now();
    await lister.get(`page=${page}&page_size=20${FILTERS[i % 3]}`);
    latencies.push(performance.now() - started);
  }
  return percentile(latencies, 99);
}

async function cursorWalk(lister: Lister): Promise<number> {
  const latencies: number[] = [];
  for (const filter of FILTERS) {
    let cursor: string | null | undefined;
    for (let page = 1; page <= PAGES; page++) {
      const started = performance.now();
      const answer = await lister.get(`page_size=20${filter}${cursor ? `&cursor=${cursor}` : ''}`);
      latencies.push(performance.now() - started);
      cursor = answer.next_cursor;
      if (!cursor) break;
    }
  }
  return percentile(latencies, 99);
}

/** The capped count (10,001 rows) the list ran before for every page, and the planner's estimate it runs now. */
async function countCosts(raw: Pool, name: string, clusterId: string, tenantId: string, size: string): Promise<BenchResult[]> {
  const where = ['', " AND status = 'failed'", ` AND labels @> '{"shard":"3"}'`].map(
    (filter) => `FROM jobs WHERE tenant_id = $1 AND cluster_id = $2${filter}`,
  );
  const time = async (sql: (fromWhere: string) => string) =>
    repeat(RUNS, async () => {
      const samples: number[] = [];
      for (let i = 0; i < 9; i++) {
        const started = performance.now();
        await raw.query(sql(where[i % 3]), [tenantId, clusterId]);
        samples.push(performance.now() - started);
      }
      return median(samples);
    });
  return [
    summarize(`jobs.list_${name}.capped_count_ms`, 'ms', await time((w) => `SELECT count(*) FROM (SELECT 1 ${w} LIMIT 10001) AS c`), {
      note: `the count up to 10,001 the list ran before, ${MEASURED_FILTERS}${size}`,
    }),
    summarize(`jobs.list_${name}.estimate_ms`, 'ms', await time((w) => `EXPLAIN (FORMAT JSON) SELECT 1 ${w}`), {
      note: `the planner's estimate the list answers above 1,000 rows, ${MEASURED_FILTERS}${size}`,
    }),
  ];
}

/** `count` finished jobs a second apart after the first `from`, a tenth of them per `shard` label, in one statement. */
async function seedJobs(raw: Pool, clusterId: string, tenantId: string, from: number, count: number): Promise<void> {
  await raw.query(
    `INSERT INTO jobs (id, name, cluster_id, tenant_id, created_by, job_type, deployment_type, source_type, spec, resources, priority_class, priority, policy, labels, status, k8s_namespace, estimated_cost_per_hour, created_at, updated_at)
     SELECT gen_random_uuid(), 'bulk-' || n, $1, $2, $2, 'batch', 'docker', 'direct', '{"kind":"container","image":"busybox:1","env":{},"ports":[]}', '{"gpu_count":0,"cpu_request":"1","memory_request":"1Gi","replicas":1}',
            'normal', 10, '{"preemptible":false,"max_retries":3,"retry_delay_seconds":30,"scale_to_zero":false}', jsonb_build_object('shard', (n % 10)::text),
            (ARRAY['succeeded','failed','cancelled'])[1 + n % 3], 'bench', 0.5, now() - (n || ' seconds')::interval, now()
       FROM generate_series($3::int + 1, $3::int + $4::int) AS n`,
    [clusterId, tenantId, from, count],
  );
  await raw.query('VACUUM ANALYZE jobs');
}
