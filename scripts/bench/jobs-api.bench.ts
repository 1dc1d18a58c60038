import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { benchTenantCluster, startBenchBudcluster } from './bench-budcluster';
import type { BenchBudcluster } from './bench-budcluster';
import { request } from './http-client';
import type { BenchResult } from './stats';
import { pool, repeat, round, summarize, median } from './stats';

const JOBS_PER_RUN = 2000;
const CONCURRENCY = 32;
const RUNS = 5;

const jobBody = () => ({
  name: `bench-${randomUUID().slice(0, 8)}`,
  job_type: 'service',
  spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }] },
  resources: { cpu_request: '2', memory_request: '8Gi' },
});

/** Job creation through the HTTP API vs a raw insert of the same rows (the list is jobs-list.bench.ts). */
export async function benchJobsApi(serverUrl: string): Promise<BenchResult[]> {
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

  const apiRates = await repeat(RUNS, async () => {
    const bodies = Array.from({ length: JOBS_PER_RUN }, jobBody);
    const started = performance.now();
    await pool(bodies, CONCURRENCY, async (body) => {
      const answer = await request(`${service.url}/api/v1/clusters/${clusterId}/jobs`, 'POST', body, headers);
      if (answer.status !== 201) throw new Error(`create answered ${answer.status}: ${answer.body}`);
    });
    return JOBS_PER_RUN / ((performance.now() - started) / 1000);
  });

  const raw = new Pool({ connectionString: databaseUrl, max: embedded ? 1 : 10 });
  const rawRates = await repeat(RUNS, async () => {
    const ids = Array.from({ length: JOBS_PER_RUN }, () => randomUUID());
    const started = performance.now();
    await pool(ids, CONCURRENCY, async (id) => {
      const body = jobBody();
      await raw.query(
        `WITH j AS (INSERT INTO jobs (id, name, cluster_id, tenant_id, created_by, job_type, deployment_type, source_type, spec, resources, priority_class, priority, policy, status, k8s_namespace, estimated_cost_per_hour, created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $4, 'service', 'docker', 'direct', $5, $6, 'normal', 10, '{}', 'pending', 'bench', 2.62, now(), now()) RETURNING id, created_at),
              e AS (INSERT INTO job_events (job_id, to_status, job_version, occurred_at) SELECT id, 'pending', 1, created_at FROM j)
         INSERT INTO outbox (pubsub_name, topic, event, created_at, next_attempt_at, published_at) SELECT 'pubsub', 'bench', $7, created_at, created_at, now() FROM j`,
        [id, body.name, clusterId, tenantId, JSON.stringify(body.spec), JSON.stringify(body.resources), JSON.stringify({ id })],
      );
    });
    const rate = JOBS_PER_RUN / ((performance.now() - started) / 1000);
    // The baseline's rows are pending jobs no API call announced; left behind, the cluster's owner would
    // find them in its pending sweep and place them all while the list is measured.
    await raw.query("DELETE FROM outbox WHERE event->>'id' = ANY($1)", [ids]);
    await raw.query('DELETE FROM jobs WHERE id = ANY($1)', [ids]);
    return rate;
  });

  await raw.end();

  const rawMedian = round(median(rawRates));
  return [
    summarize('jobs.create.per_s', 'jobs/s', apiRates, {
      baseline: { name: 'raw pg insert of the same rows', median: rawMedian },
      ratio: round(median(apiRates) / rawMedian),
    }),
    summarize(
      'jobs.create.ratio_to_raw_insert',
      'ratio',
      apiRates.map((rate, i) => rate / rawRates[i]),
    ),
    summarize('jobs.create.raw_insert.per_s', 'rows/s', rawRates),
  ];
}
