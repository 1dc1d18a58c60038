// How many SERVICE jobs budcluster's kubernetes driver takes from create to running per second on the
// test bed's control plane: `node dist/scripts/testbed/bench-service-jobs.js [jobs=200] [concurrency=16]`.
// budcluster runs as a process from dist/ (embedded Postgres, or the server of BENCH_DATABASE_URL /
// TEST_DATABASE_URL). Prints one JSON line. The jobs' namespace is deleted afterwards.
// `… bench-service-jobs.js kueue [jobs=200] [concurrency=16]` measures `kueue.admissions_per_s` instead
// (bench-kueue-admissions.ts; Kueue is added to the test bed if it runs none), with Kueue's own clients;
// `… bench-service-jobs.js kueue-budcluster [jobs=200] [concurrency=16]` the same end to end through budcluster:
// BATCH jobs (no GPU, pods that never complete) created through the API, admitted by Kueue through the LocalQueue
// and ClusterQueue budcluster renders, until budcluster records them admitted or running.
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
import { NEVER_COMPLETES_ENV } from './kwok-config';
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
  const throughKueue = process.argv[2] === 'kueue-budcluster';
  const args = throughKueue ? process.argv.slice(3) : process.argv.slice(2);
  const jobs = Number(args[0] ?? 200);
  const concurrency = Number(args[1] ?? 16);
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
    progress('bench', `creating ${jobs} ${throughKueue ? 'BATCH' : 'SERVICE'} jobs, ${concurrency} at a time (database: ${server.kind})`);

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs) {
          next++;
          const created = await call<JobRow>(
            jobsUrl,
            'POST',
            token,
            throughKueue
              ? {
                  name: `bench-${randomUUID().slice(0, 8)}`,
                  job_type: 'batch',
                  spec: { kind: 'container', image: 'registry.invalid/bench:1', ports: [], env: { [NEVER_COMPLETES_ENV]: '1' } },
                  resources: { cpu_request: '10m', memory_request: '16Mi' },
                }
              : {
                  name: `bench-${randomUUID().slice(0, 8)}`,
                  job_type: 'service',
                  spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }] },
                  resources: { cpu_request: '100m', memory_request: '128Mi' },
                },
          );
          if (created.status !== 201) throw new Error(`job create: ${created.status} ${JSON.stringify(created.body)}`);
          namespace ??= created.body.k8s_namespace;
        }
      }),
    );
    const createdSeconds = (Date.now() - started) / 1000;
    progress('bench', `${jobs} jobs created in ${createdSeconds.toFixed(1)} s; waiting for ${throughKueue ? 'admitted' : 'running'}`);

    const deadline = Date.now() + 20 * 60_000;
    const count = async (status: string) =>
      (await call<{ total: number }>(`${jobsUrl}?status=${status}&page_size=1`, 'GET', token)).body.total;
    let running = 0;
    while (running < jobs) {
      if (Date.now() > deadline) throw new Error(`only ${running}/${jobs} jobs running after 20 minutes`);
      running = (await count('running')) + (throughKueue ? await count('admitted') : 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const allRunningSeconds = (Date.now() - started) / 1000;
    if (throughKueue) {
      // kueue.admissions_per_s end to end: API create → Kueue admits (budcluster's LocalQueue and ClusterQueue) →
      // budcluster records admitted/running from the Workload.
      process.stdout.write(
        `${JSON.stringify({ name: 'kueue.admissions_per_s', through: 'budcluster', jobs, concurrency, database: server.kind, create_seconds: round(createdSeconds), all_admitted_seconds: round(allRunningSeconds), value: round(jobs / allRunningSeconds) })}\n`,
      );
      return;
    }
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
