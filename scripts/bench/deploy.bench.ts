import { readFileSync, readdirSync } from 'node:fs';
import type { ServiceProcess } from '@bud/testing';
import { CLUSTER_ENTRY, POLL_MS, Services, USECASES_ENTRY, sleep } from './bench-services';
import type { BenchResult } from './stats';
import { percentile, pool, repeat, round, summarize } from './stats';

const RUNS = 5;
const SEQUENTIAL_PER_RUN = 10;
const PROPAGATION_PER_RUN = 30;
const CONCURRENT = 1000;
const CONCURRENCY = 32;
const CONCURRENT_DEADLINE_MS = 10 * 60_000;
/** Give up early when nothing moved for this long after the last POST (everything left is stuck). */
const NO_PROGRESS_MS = 90_000;

const RESULTS = {
  simpleRag: 'deploy.simple-rag.post_to_running.p50_ms',
  propagation: 'status.propagation.p99_ms',
  running: 'deploy.concurrent_1000.running',
  stuck: 'deploy.concurrent_1000.stuck',
  rss: 'deploy.concurrent_1000.peak_rss_mb',
  allRunning: 'deploy.concurrent_1000.time_to_all_running_s',
} as const;

/** The service's pid: ServiceProcess's own when it exposes one, else the process whose environment holds its PORT. */
function pidOf(service: ServiceProcess, entry: string): number {
  const exposed = (service as unknown as { pid?: number }).pid;
  if (typeof exposed === 'number') return exposed;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(entry)) continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`PORT=${service.port}`)) return Number(name);
    } catch {
      // gone or not ours
    }
  }
  throw new Error(`no process found for ${entry} on port ${service.port}`);
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, counted from the state field (3) here.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS and VmHWM (peak resident set) of a process, in MiB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/**
 * Deployments end to end, budcluster and budusecases as separate processes on the simulated cluster:
 * simple-rag POST → running, job status → deployment status, and 1,000 concurrent deployments.
 * `only` (the --only prefix) skips the parts whose results would be filtered out anyway.
 */
export async function benchDeploy(serverUrl: string, only?: string): Promise<BenchResult[]> {
  const wanted = (name: string) => !only || name.startsWith(only) || only.startsWith(name);
  const results: BenchResult[] = [];
  if (wanted(RESULTS.simpleRag) || wanted(RESULTS.propagation)) {
    const services = await Services.start(serverUrl, 'deploy');
    try {
      const clusterId = await services.explain(() => services.fastCluster());
      if (wanted(RESULTS.simpleRag)) results.push(await services.explain(() => simpleRag(services, clusterId)));
      if (wanted(RESULTS.propagation)) results.push(await services.explain(() => propagation(services, clusterId)));
    } finally {
      await services.stop();
    }
  }
  if ([RESULTS.running, RESULTS.stuck, RESULTS.rss, RESULTS.allRunning].some(wanted)) {
    const services = await Services.start(serverUrl, 'deploy1000');
    try {
      results.push(...(await services.explain(() => concurrent(services))));
    } finally {
      await services.stop();
    }
  }
  return results;
}

async function simpleRag(services: Services, clusterId: string): Promise<BenchResult> {
  const once = async () => {
    const started = performance.now();
    const id = await services.deploy(clusterId, 'simple-rag-v1');
    return (await services.until(id, ['running'])).at - started;
  };
  for (let i = 0; i < 3; i++) await once(); // warm-up: JIT, pools, prepared plans
  const all: number[] = [];
  const p50 = await repeat(RUNS, async () => {
    const samples: number[] = [];
    for (let i = 0; i < SEQUENTIAL_PER_RUN; i++) samples.push(await once());
    all.push(...samples);
    return percentile(samples, 50);
  });
  return summarize(RESULTS.simpleRag, 'ms', p50, {
    note: `${SEQUENTIAL_PER_RUN} sequential deployments per run (4 components, 2 waves), polled every ${POLL_MS} ms; all ${all.length}: p90 ${round(percentile(all, 90))} max ${round(Math.max(...all))} ms`,
  });
}

/**
 * A job status change made directly in budcluster (cancelling the orchestrator's job of a running
 * simple-rag deployment) until GET /deployments/:id shows the deployment failed: budcluster's outbox →
 * job event → budusecases fold → reconciler aggregate → API.
 */
async function propagation(services: Services, clusterId: string): Promise<BenchResult> {
  const all: number[] = [];
  const p99 = await repeat(RUNS, async () => {
    const ids: string[] = [];
    await pool(
      Array.from({ length: PROPAGATION_PER_RUN }, () => 0),
      8,
      async () => {
        const id = await services.deploy(clusterId, 'simple-rag-v1');
        await services.until(id, ['running']);
        ids.push(id);
      },
    );
    const samples: number[] = [];
    for (const id of ids) {
      const before = await services.deployment(id);
      const jobId = before.components?.find((c) => c.id === 'orchestrator')?.job_id;
      if (!jobId) throw new Error(`deployment ${id} has no orchestrator job`);
      const started = performance.now();
      await services.call(services.cluster, 'DELETE', `/api/v1/clusters/${clusterId}/jobs/${jobId}`, undefined, 202);
      const seen = await services.until(id, ['failed', 'degraded'], 30_000);
      samples.push(seen.at - started);
    }
    all.push(...samples);
    return percentile(samples, 99);
  });
  return summarize(RESULTS.propagation, 'ms', p99, {
    note: `DELETE of a running component's job in budcluster → deployment failed in the API; p99 of ${PROPAGATION_PER_RUN} per run (polled every ${POLL_MS} ms); all ${all.length}: p50 ${round(percentile(all, 50))} max ${round(Math.max(...all))} ms`,
  });
}

async function concurrent(services: Services): Promise<BenchResult[]> {
  const clusterId = await services.fastCluster();
  const pids = { budcluster: pidOf(services.cluster, CLUSTER_ENTRY), budusecases: pidOf(services.usecases, USECASES_ENTRY) };
  const rssNow = () => memoryOf(pids.budcluster).rss + memoryOf(pids.budusecases).rss;
  const idleRss = rssNow();
  const cpuAtStart = { budcluster: cpuSecondsOf(pids.budcluster), budusecases: cpuSecondsOf(pids.budusecases) };
  let sampledPeak = idleRss;
  const sampler = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, rssNow());
    } catch {
      // a process ended; the finally block reports it
    }
  }, 250);
  const started = performance.now();
  const createErrors: string[] = [];
  let created = 0;
  let allRunningAt: number | undefined;
  let counts: Record<string, number> = {};
  const postLatencies: number[] = [];
  const timeline: string[] = [];
  let nextMark = 0;
  try {
    await pool(
      Array.from({ length: CONCURRENT }, () => 0),
      CONCURRENCY,
      async () => {
        try {
          const posted = performance.now();
          await services.deploy(clusterId, 'simple-chatbot-v1');
          postLatencies.push(performance.now() - posted);
          created++;
        } catch (error) {
          createErrors.push((error as Error).message);
        }
      },
    );
    const postedAt = performance.now();
    let lastChange = performance.now();
    let last = '';
    while (performance.now() - started < CONCURRENT_DEADLINE_MS) {
      counts = await services.countByStatus();
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= nextMark) {
        // deployments running/deploying/pending | budcluster jobs running/all
        const jobsNow = await services.call<{ total: number }>(
          services.cluster,
          'GET',
          `/api/v1/clusters/${clusterId}/jobs?page_size=1`,
          undefined,
          200,
        );
        const runningNow = await services.call<{ total: number }>(
          services.cluster,
          'GET',
          `/api/v1/clusters/${clusterId}/jobs?page_size=1&status=running`,
          undefined,
          200,
        );
        timeline.push(
          `${Math.round(elapsed)}s:${counts['running'] ?? 0}/${counts['deploying'] ?? 0}/${counts['pending'] ?? 0}|${runningNow.body.total}/${jobsNow.body.total}`,
        );
        nextMark = elapsed + 10;
      }
      if ((counts['running'] ?? 0) >= created) {
        allRunningAt = performance.now();
        break;
      }
      const key = JSON.stringify(counts);
      if (key !== last) {
        last = key;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > NO_PROGRESS_MS) break;
      await sleep(500);
    }
    const postSeconds = (postedAt - started) / 1000;
    clearInterval(sampler);
    const memory = { budcluster: memoryOf(pids.budcluster), budusecases: memoryOf(pids.budusecases) };
    const cpu = `CPU used during the measure: budcluster ${round(cpuSecondsOf(pids.budcluster) - cpuAtStart.budcluster)} s, budusecases ${round(cpuSecondsOf(pids.budusecases) - cpuAtStart.budusecases)} s`;
    const peak = memory.budcluster.hwm + memory.budusecases.hwm;
    const jobs = await services.call<{ total: number }>(
      services.cluster,
      'GET',
      `/api/v1/clusters/${clusterId}/jobs?page_size=1`,
      undefined,
      200,
    );
    const runningJobs = await services.call<{ total: number }>(
      services.cluster,
      'GET',
      `/api/v1/clusters/${clusterId}/jobs?page_size=1&status=running`,
      undefined,
      200,
    );
    const running = counts['running'] ?? 0;
    const stuck = CONCURRENT - running;
    const outcome = allRunningAt
      ? `all running ${round((allRunningAt - started) / 1000)} s after the first POST`
      : `gave up ${round((performance.now() - started) / 1000)} s after the first POST (${performance.now() - started >= CONCURRENT_DEADLINE_MS ? 'deadline' : `no change for ${NO_PROGRESS_MS / 1000} s`})`;
    const summary = `runs: 1 (a single 1,000-deployment run); ${CONCURRENT} × simple-chatbot-v1 POSTed ${CONCURRENCY} at a time in ${round(postSeconds)} s (${created} created, ${createErrors.length} refused${createErrors[0] ? `: ${createErrors[0].slice(0, 200)}` : ''}); ${outcome}; statuses ${JSON.stringify(counts)}; budcluster jobs ${jobs.body.total} (expected ${created * 2}), running ${runningJobs.body.total}; POST latency p50 of the first 100 ${round(percentile(postLatencies.slice(0, 100), 50))} ms, of the last 100 ${round(percentile(postLatencies.slice(-100), 50))} ms; over time (deployments running/deploying/pending|budcluster jobs running/all) ${timeline.join(' ')}; ${cpu}`;
    const one = (name: string, unit: string, value: number, extra: Partial<BenchResult> = {}) =>
      summarize(name, unit, [value], { note: summary, ...extra });
    const results = [
      one(RESULTS.running, 'deployments', running),
      one(RESULTS.stuck, 'deployments', stuck),
      one(RESULTS.rss, 'MiB', peak, {
        baseline: { name: 'both services idle after start (VmRSS, MiB)', median: round(idleRss) },
        ratio: round(peak / idleRss),
        note: `runs: 1; sum of VmHWM (peak resident set): budcluster ${round(memory.budcluster.hwm)} MiB, budusecases ${round(memory.budusecases.hwm)} MiB; peak of the summed VmRSS sampled every 250 ms ${round(sampledPeak)} MiB; now ${round(memory.budcluster.rss + memory.budusecases.rss)} MiB`,
      }),
    ];
    if (allRunningAt) results.push(one(RESULTS.allRunning, 's', (allRunningAt - started) / 1000));
    return results;
  } finally {
    clearInterval(sampler);
  }
}
