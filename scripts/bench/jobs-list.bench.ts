import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { startBenchBudcluster } from './bench-budcluster';
import type { BenchBudcluster } from './bench-budcluster';
import { request } from './http-client';
import type { BenchResult } from './stats';
import { percentile, repeat, summarize } from './stats';

const RUNS = 5;

/** GET /jobs over 100k rows of one tenant and cluster: pages 1–50 of 20, unfiltered, by status and by label. */
export async function benchJobsList(serverUrl: string): Promise<BenchResult[]> {
  const bench = await startBenchBudcluster(serverUrl);
  try {
    return await measure(bench);
  } finally {
    await bench.stop();
  }
}

async function measure({ service, databaseUrl, embedded, token }: BenchBudcluster): Promise<BenchResult[]> {
  const tenantId = randomUUID();
  const headers = { authorization: `Bearer ${await token(['job:manage', 'job:view', 'cluster:manage'], tenantId)}` };
  const cluster = JSON.parse(
    (
      await request(
        `${service.url}/api/v1/clusters`,
        'POST',
        { name: 'bench', type: 'simulated', settings: { admit_delay_ms: 3_600_000 } },
        headers,
      )
    ).body,
  ) as { id: string };
  const raw = new Pool({ connectionString: databaseUrl, max: embedded ? 1 : 10 });
  try {
    await seedJobs(raw, cluster.id, tenantId, 100_000);
    const listP99 = await repeat(RUNS, async (run) => {
      const latencies: number[] = [];
      for (let i = 0; i < 200; i++) {
        const page = 1 + ((i * 7 + run) % 50);
        const filter = i % 3 === 0 ? '&status=failed' : i % 3 === 1 ? '&labels=shard=3' : '';
        const started = performance.now();
        const answer = await request(
          `${service.url}/api/v1/clusters/${cluster.id}/jobs?page=${page}&page_size=20${filter}`,
          'GET',
          undefined,
          headers,
        );
        latencies.push(performance.now() - started);
        if (answer.status !== 200) throw new Error(`list answered ${answer.status}`);
      }
      return percentile(latencies, 99);
    });
    return [summarize('jobs.list_100k.p99_ms', 'ms', listP99, { note: 'pages 1-50 of 20, unfiltered, status and label filters' })];
  } finally {
    await raw.end();
  }
}

/** `count` finished jobs a second apart, a tenth of them per `shard` label, in one statement. */
async function seedJobs(raw: Pool, clusterId: string, tenantId: string, count: number): Promise<void> {
  await raw.query(
    `INSERT INTO jobs (id, name, cluster_id, tenant_id, created_by, job_type, deployment_type, source_type, spec, resources, priority_class, priority, policy, labels, status, k8s_namespace, estimated_cost_per_hour, created_at, updated_at)
     SELECT gen_random_uuid(), 'bulk-' || n, $1, $2, $2, 'batch', 'docker', 'direct', '{"kind":"container","image":"busybox:1","env":{},"ports":[]}', '{"gpu_count":0,"cpu_request":"1","memory_request":"1Gi","replicas":1}',
            'normal', 10, '{"preemptible":false,"max_retries":3,"retry_delay_seconds":30,"scale_to_zero":false}', jsonb_build_object('shard', (n % 10)::text),
            (ARRAY['succeeded','failed','cancelled'])[1 + n % 3], 'bench', 0.5, now() - (n || ' seconds')::interval, now()
       FROM generate_series(1, $3::int) AS n`,
    [clusterId, tenantId, count],
  );
  await raw.query('VACUUM ANALYZE jobs');
}
