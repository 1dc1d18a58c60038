// How many SERVICE jobs budcluster's kubernetes driver takes from create to running per second on the
// test bed's control plane: `node dist/scripts/testbed/bench-service-jobs.js [jobs=200] [concurrency=16]`.
// budcluster runs as a process from dist/ (embedded Postgres, or the server of BENCH_DATABASE_URL /
// TEST_DATABASE_URL). Prints one JSON line. The jobs' namespace is deleted afterwards.
// `… bench-service-jobs.js kueue [jobs=200] [concurrency=16]` measures `kueue.admissions_per_s` instead
// (bench-kueue-admissions.ts; Kueue is added to the test bed if it runs none).
import { randomUUID } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { metricValue } from '@bud/testing';
import { databaseForBench } from '../bench/bench-database';
import { startBenchBudcluster } from '../bench/bench-budcluster';
import { percentile, round } from '../bench/stats';
import { benchKueueAdmissions } from './bench-kueue-admissions';
import { kubeConfigFrom } from './cluster-setup';
import { addKueue, runningState, up } from './control-plane';
import { readFileSync } from 'node:fs';
import { progress } from './progress';

interface JobRow {
  id: string;
  status: string;
  created_at: string;
  started_at: string | null;
  k8s_namespace: string;
}

async function call<T>(url: string, method: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** budcluster's `bud_kubernetes_api_requests_total` (the drivers' own count). */
async function kubernetesApiRequests(serviceUrl: string): Promise<number> {
  const requests = metricValue(await (await fetch(`${serviceUrl}/metrics`)).text(), 'bud_kubernetes_api_requests_total');
  if (requests === undefined) throw new Error('budcluster /metrics has no bud_kubernetes_api_requests_total');
  return requests;
}

async function kueueMain(jobs: number, concurrency: number): Promise<void> {
  const running = runningState();
  const state = running
    ? running.kueue
      ? running
      : await addKueue(running)
    : await (async () => {
        process.env.TESTBED_KUEUE = '1';
        return up();
      })();
  process.stdout.write(`${JSON.stringify(await benchKueueAdmissions(state, jobs, concurrency))}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'kueue') return kueueMain(Number(process.argv[3] ?? 200), Number(process.argv[4] ?? 16));
  const jobs = Number(process.argv[2] ?? 200);
  const concurrency = Number(process.argv[3] ?? 16);
  const state = runningState() ?? (await up());
  const kubeconfig = readFileSync(state.kubeconfig, 'utf8');

  const server = await databaseForBench();
  // The test bed's API server is on 127.0.0.1, which budcluster refuses unless told otherwise.
  const bench = await startBenchBudcluster(server.url, { CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: 'true' });
  const service = bench.service;
  const token = await bench.token(['job:manage', 'job:view', 'cluster:manage']);
  let namespace: string | undefined;
  try {
    const cluster = await call<{ id: string }>(`${service.url}/api/v1/clusters`, 'POST', token, {
      name: `bench-${randomUUID().slice(0, 8)}`,
      type: 'kubernetes',
      kubeconfig,
    });
    if (cluster.status !== 201) throw new Error(`cluster registration: ${JSON.stringify(cluster.body)}`);
    const jobsUrl = `${service.url}/api/v1/clusters/${cluster.body.id}/jobs`;
    const apiCallsBefore = await kubernetesApiRequests(service.url);
    progress('bench', `creating ${jobs} SERVICE jobs, ${concurrency} at a time (database: ${server.kind})`);

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs) {
          next++;
          const created = await call<JobRow>(jobsUrl, 'POST', token, {
            name: `bench-${randomUUID().slice(0, 8)}`,
            job_type: 'service',
            spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }] },
            resources: { cpu_request: '100m', memory_request: '128Mi' },
          });
          if (created.status !== 201) throw new Error(`job create: ${created.status} ${JSON.stringify(created.body)}`);
          namespace ??= created.body.k8s_namespace;
        }
      }),
    );
    const createdSeconds = (Date.now() - started) / 1000;
    progress('bench', `${jobs} jobs created in ${createdSeconds.toFixed(1)} s; waiting for running`);

    const deadline = Date.now() + 20 * 60_000;
    let running = 0;
    while (running < jobs) {
      if (Date.now() > deadline) throw new Error(`only ${running}/${jobs} jobs running after 20 minutes`);
      running = (await call<{ total: number }>(`${jobsUrl}?status=running&page_size=1`, 'GET', token)).body.total;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const allRunningSeconds = (Date.now() - started) / 1000;
    // Includes the informers' watch reconnections and resyncs while the jobs ran, as a driver really pays them.
    const apiCallsPerJob = ((await kubernetesApiRequests(service.url)) - apiCallsBefore) / jobs;

    const latencies: number[] = [];
    for (let page = 1; latencies.length < jobs; page++) {
      const { body } = await call<{ items: JobRow[] }>(`${jobsUrl}?page=${page}&page_size=100`, 'GET', token);
      if (body.items.length === 0) break;
      for (const job of body.items) if (job.started_at) latencies.push((Date.parse(job.started_at) - Date.parse(job.created_at)) / 1000);
    }
    latencies.sort((a, b) => a - b);
    const result = {
      jobs,
      concurrency,
      database: server.kind,
      create_seconds: round(createdSeconds),
      create_per_second: round(jobs / createdSeconds),
      all_running_seconds: round(allRunningSeconds),
      create_to_running_per_second: round(jobs / allRunningSeconds),
      k8s_api_calls_per_job: round(apiCallsPerJob),
      create_to_running_seconds: {
        p50: round(percentile(latencies, 50)),
        p95: round(percentile(latencies, 95)),
        max: round(latencies[latencies.length - 1] ?? NaN),
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await bench.stop();
    await server.stop();
    if (namespace)
      await kubeConfigFrom(kubeconfig)
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name: namespace })
        .catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
