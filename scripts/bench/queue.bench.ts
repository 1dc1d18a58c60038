import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { simulatedSettingsSchema } from '@bud/contracts';
import { ManualClock } from '@bud/testing';
import type { JobModel } from '../../apps/budcluster/src/domain/job-model';
import { BUILT_IN_DEFAULT_QUOTA } from '../../apps/budcluster/src/domain/quota-model';
import { SimulatedDriver } from '../../apps/budcluster/src/drivers/simulated/simulated-driver';
import { startBenchBudcluster } from './bench-budcluster';
import { request } from './http-client';
import type { BenchResult } from './stats';
import { percentile, repeat, round, summarize } from './stats';

const RUNS = 5;
const ADMISSIONS_PER_RUN = 200;
const STREAM_JOBS = 5000;
const STREAM_GPUS = 8;
const STREAM_LOAD = 0.8;

/** docs/design.md#quotas: how fast work with quota free is admitted, and how long a stream at 80% of capacity waits. */
export async function benchQueue(serverUrl: string, only?: string): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (!only || 'queue.admission.'.startsWith(only) || only.startsWith('queue.admission.')) results.push(await admission(serverUrl));
  if (!only || 'queue.wait.'.startsWith(only) || only.startsWith('queue.wait.')) results.push(await queueWait());
  return results;
}

/**
 * Job create → `admitted` with quota free, through budcluster's API on a simulated cluster with no admission delay:
 * from before the POST to the admitted event's `occurred_at` in job_events (the service's clock, on this machine).
 */
async function admission(serverUrl: string): Promise<BenchResult> {
  const bench = await startBenchBudcluster(serverUrl);
  const database = new Pool({ connectionString: bench.databaseUrl, max: 1 });
  try {
    const headers = { authorization: `Bearer ${await bench.token(['job:manage', 'job:view', 'cluster:manage'])}` };
    const created = await request(
      `${bench.service.url}/api/v1/clusters`,
      'POST',
      {
        name: 'bench-queue',
        type: 'simulated',
        // GPUs to spare and batch jobs that hold theirs for a day: every job finds quota free.
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 86_400_000, gpu_capacity: { 'H100-80GB': 100_000 } },
      },
      headers,
    );
    const clusterId = (JSON.parse(created.body) as { id: string }).id;
    const all: number[] = [];
    const creates: number[] = [];
    const p99 = await repeat(RUNS, async () => {
      const startedAt = new Map<string, number>();
      for (let i = 0; i < ADMISSIONS_PER_RUN; i++) {
        const started = Date.now();
        const answer = await request(
          `${bench.service.url}/api/v1/clusters/${clusterId}/jobs`,
          'POST',
          {
            name: `admit-${randomUUID().slice(0, 8)}`,
            job_type: 'batch',
            spec: { kind: 'container', image: 'busybox:1.36', command: ['sleep', '60'] },
            resources: { gpu_type: 'H100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi' },
          },
          headers,
        );
        if (answer.status !== 201) throw new Error(`create answered ${answer.status}: ${answer.body}`);
        creates.push(Date.now() - started);
        startedAt.set((JSON.parse(answer.body) as { id: string }).id, started);
      }
      const ids = [...startedAt.keys()];
      let admitted: Array<{ job_id: string; at: Date }> = [];
      for (let waited = 0; waited < 60_000; waited += 50) {
        admitted = (
          await database.query<{ job_id: string; at: Date }>(
            `SELECT job_id, min(occurred_at) AS at FROM job_events WHERE to_status = 'admitted' AND job_id = ANY($1) GROUP BY job_id`,
            [ids],
          )
        ).rows;
        if (admitted.length === ids.length) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (admitted.length !== ids.length) throw new Error(`only ${admitted.length} of ${ids.length} jobs were admitted within 60 s`);
      const samples = admitted.map((row) => row.at.getTime() - (startedAt.get(row.job_id) ?? 0));
      all.push(...samples);
      return percentile(samples, 99);
    });
    return summarize('queue.admission.p99_ms', 'ms', p99, {
      note: `POST of a 1-GPU batch job → its admitted event, quota free, ${ADMISSIONS_PER_RUN} sequential jobs per run; all ${all.length}: p50 ${round(percentile(all, 50))} max ${round(Math.max(...all))} ms; of that the POST's answer: p50 ${round(percentile(creates, 50))} p99 ${round(percentile(creates, 99))} ms`,
    });
  } finally {
    await database.end();
    await bench.stop();
  }
}

/** A seeded PRNG (mulberry32), so every run of the bench sees the same streams. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed's "queue wait time (p99) < 5 s" on the simulated driver with its default delays (admitted after 0.5 s,
 * ready 2 s later, batch jobs run 5 s: each holds its GPU 7.5 s): Poisson arrivals of 1-GPU batch jobs from two
 * tenants with 4 GPUs of quota each on an 8-GPU cluster, at 80% of its capacity, on a ManualClock. The wait is a job's
 * time from apply to its `admitted` report, in simulated seconds.
 */
async function queueWait(): Promise<BenchResult> {
  const settings = simulatedSettingsSchema.parse({ gpu_capacity: { 'H100-80GB': STREAM_GPUS } });
  const holdMs = settings.admit_delay_ms + settings.ready_delay_ms + settings.batch_run_ms;
  const meanGapMs = holdMs / (STREAM_GPUS * STREAM_LOAD);
  const tenants = [randomUUID(), randomUUID()];
  const all: number[] = [];
  const ideal: number[] = [];
  const p99 = await repeat(RUNS, async (run) => {
    const random = seeded(run + 1);
    const arrivals: number[] = [];
    const clock = new ManualClock();
    const appliedAt = new Map<string, number>();
    const waits: number[] = [];
    const driver = new SimulatedDriver('bench', settings, clock, () => 0.99);
    await driver.start(async (observed) => {
      const applied = appliedAt.get(observed.jobId);
      if (observed.status !== 'admitted' || applied === undefined) return;
      waits.push((clock.now() - applied) / 1000);
      appliedAt.delete(observed.jobId);
    });
    driver.updateQuotas({
      defaultQuota: BUILT_IN_DEFAULT_QUOTA,
      tenants: tenants.map((tenantId) => ({
        ...BUILT_IN_DEFAULT_QUOTA,
        tenantId,
        gpus: { 'H100-80GB': { nominal: STREAM_GPUS / 2, borrowingLimit: null } },
      })),
    });
    for (let i = 0; i < STREAM_JOBS; i++) {
      await clock.advance(-meanGapMs * Math.log(1 - random()));
      const tenantId = tenants[random() < 0.5 ? 0 : 1] ?? '';
      const job = streamJob(tenantId, i);
      appliedAt.set(job.id, clock.now());
      arrivals.push(clock.now());
      await driver.apply(job);
    }
    await clock.advance(3_600_000);
    await driver.stop();
    if (waits.length !== STREAM_JOBS) throw new Error(`only ${waits.length} of ${STREAM_JOBS} jobs were admitted`);
    all.push(...waits);
    ideal.push(percentile(idealWaits(arrivals, holdMs, settings.admit_delay_ms), 99));
    return percentile(waits, 99);
  });
  const idealMedian = round(ideal.sort((a, b) => a - b)[Math.floor(ideal.length / 2)] ?? NaN);
  return summarize('queue.wait.p99_s', 's', p99, {
    baseline: { name: 'an ideal FIFO queue of the same arrivals on 8 GPUs (M/D/8: no quotas, no overhead)', median: idealMedian },
    ratio: round((p99.sort((a, b) => a - b)[Math.floor(p99.length / 2)] ?? NaN) / idealMedian),
    note: `${STREAM_JOBS} Poisson arrivals of 1-GPU jobs per run at ${STREAM_LOAD * 100}% of ${STREAM_GPUS} GPUs (each held ${holdMs / 1000} s), two tenants with 4 each, simulated time; the wait includes admit_delay_ms ${settings.admit_delay_ms / 1000} s; all ${all.length}: p50 ${round(percentile(all, 50))} max ${round(Math.max(...all))} s`,
  });
}

/** The waits of the same arrivals in a plain first-come first-served queue of STREAM_GPUS servers, in seconds. */
function idealWaits(arrivals: number[], holdMs: number, admitDelayMs: number): number[] {
  const freeAt = Array.from({ length: STREAM_GPUS }, () => 0);
  return arrivals.map((arrival) => {
    let slot = 0;
    for (let i = 1; i < freeAt.length; i++) if ((freeAt[i] ?? 0) < (freeAt[slot] ?? 0)) slot = i;
    const start = Math.max(arrival, freeAt[slot] ?? 0);
    freeAt[slot] = start + holdMs;
    return (start - arrival + admitDelayMs) / 1000;
  });
}

function streamJob(tenantId: string, i: number): JobModel {
  const id = randomUUID();
  return {
    id,
    name: `stream-${i}`,
    clusterId: 'bench',
    tenantId,
    projectId: null,
    jobType: 'batch',
    sourceType: 'direct',
    usecaseDeploymentId: null,
    spec: { kind: 'container', image: 'busybox:1.36', env: {}, ports: [] },
    resources: { gpu_type: 'H100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 },
    policy: { preemptible: false, max_retries: 3, retry_delay_seconds: 30, readiness_timeout_seconds: 600, scale_to_zero: false },
    priorityClass: 'normal',
    labels: {},
    annotations: {},
    namespace: `tenant-${tenantId.slice(0, 8)}`,
    resourceName: `stream-${i}-${id.slice(0, 8)}`,
    status: 'pending',
    secretEnvSealed: null,
    generation: 1,
  };
}
