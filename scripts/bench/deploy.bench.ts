import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { signToken } from '@bud/auth';
import { deploymentStatuses, scopes } from '@bud/contracts';
import { ServiceProcess, freePort, TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import { freshDatabase } from './bench-database';
import { request } from './http-client';
import type { BenchResult } from './stats';
import { percentile, pool, repeat, round, summarize } from './stats';

const SECRET = 'bench-secret-of-at-least-32-characters!';
const CLUSTER_ENTRY = 'dist/apps/budcluster/src/main.js';
const USECASES_ENTRY = 'dist/apps/budusecases/src/main.js';
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const POLL_MS = 5;

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Deployment {
  id: string;
  status: string;
  status_message: string | null;
  components?: Array<{ id: string; status: string; job_id: string | null; job_status: string | null }>;
}

/** budcluster and budusecases as two processes on fresh databases, wired to each other over HTTP. */
class Services {
  private constructor(
    readonly cluster: ServiceProcess,
    readonly usecases: ServiceProcess,
    readonly headers: Record<string, string>,
    private readonly cleanup: Array<() => Promise<void>>,
  ) {}

  static async start(serverUrl: string, label: string): Promise<Services> {
    const cleanup: Array<() => Promise<void>> = [];
    const services: ServiceProcess[] = [];
    const stopAll = async () => {
      for (const service of services.reverse()) await service.stop().catch(() => undefined);
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
    };
    try {
      // Without a server (BENCH_DATABASE_URL/TEST_DATABASE_URL) each service starts its own embedded Postgres in DATA_DIR.
      const server = Boolean(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL);
      const databaseEnv = async (): Promise<Record<string, string>> => {
        if (!server) return {};
        const db = await freshDatabase(serverUrl);
        cleanup.push(() => db.drop());
        return { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '10' };
      };
      const [clusterPort, usecasesPort] = [await freePort(), await freePort()];
      const dataDir = `/tmp/bud-bench-${label}-${randomUUID()}`;
      cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      // Product defaults for poll and tick intervals: the measures include what a real install waits for.
      const cluster = new ServiceProcess(
        CLUSTER_ENTRY,
        {
          ...(await databaseEnv()),
          AUTH_JWT_SECRET: SECRET,
          SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
          SECRETS_KEY: 'b'.repeat(64),
          LOCAL_CLUSTER: 'false',
          BUDUSECASES_URL: `http://127.0.0.1:${usecasesPort}`,
          LOG_LEVEL: 'error',
          DATA_DIR: dataDir,
        },
        clusterPort,
        nodeArgs,
      );
      services.push(cluster);
      await cluster.start(60_000);
      const usecases = new ServiceProcess(
        USECASES_ENTRY,
        {
          ...(await databaseEnv()),
          AUTH_JWT_SECRET: SECRET,
          SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
          BUDCLUSTER_URL: cluster.url,
          LOG_LEVEL: 'error',
          DATA_DIR: dataDir,
        },
        usecasesPort,
        nodeArgs,
      );
      services.push(usecases);
      await usecases.start(60_000);
      const granted = scopes.filter((s) => s !== 'platform:admin');
      const token = await signToken(SECRET, { sub: randomUUID(), tenant_id: randomUUID(), scopes: granted }, 4 * 3600);
      return new Services(cluster, usecases, { authorization: `Bearer ${token}` }, [stopAll]);
    } catch (error) {
      const tail = services.map((s) => s.output.join('').slice(-2000)).join('\n');
      await stopAll();
      throw new Error(`${(error as Error).message}\n${tail}`);
    }
  }

  async stop(): Promise<void> {
    for (const step of this.cleanup) await step();
  }

  /** The services' last output, for an error that happened while they ran. */
  tails(): string {
    const tail = (name: string, s: ServiceProcess) =>
      `--- ${name}${(s as unknown as { exited?: boolean }).exited ? ' (exited)' : ''}:\n${s.output.join('').slice(-3000)}`;
    return `${tail('budcluster', this.cluster)}\n${tail('budusecases', this.usecases)}`;
  }

  /** Runs `work`; a failure carries the services' output. */
  async explain<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new Error(`${(error as Error).stack ?? String(error)}\n${this.tails()}`);
    }
  }

  async call<T>(
    service: ServiceProcess,
    method: string,
    path: string,
    body?: unknown,
    expect?: number,
  ): Promise<{ status: number; body: T }> {
    const answer = await request(`${service.url}${path}`, method, body, this.headers);
    if (expect !== undefined && answer.status !== expect)
      throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    return { status: answer.status, body: (answer.body ? JSON.parse(answer.body) : undefined) as T };
  }

  /** A simulated cluster of the caller's tenant: no delays, GPUs for every deployment of the bench. */
  async fastCluster(): Promise<string> {
    const settings = {
      admit_delay_ms: 0,
      ready_delay_ms: 0,
      batch_run_ms: 0,
      gpu_capacity: { 'A100-80GB': 100_000, 'H100-80GB': 100_000 },
    };
    const created = await this.call<{ id: string }>(
      this.cluster,
      'POST',
      '/api/v1/clusters',
      { name: `bench-${randomUUID().slice(0, 8)}`, type: 'simulated', settings },
      201,
    );
    return created.body.id;
  }

  async deploy(clusterId: string, templateId: string): Promise<string> {
    const body = {
      template_id: templateId,
      name: `b-${randomUUID().slice(0, 12)}`,
      cluster_id: clusterId,
      parameters: { model_id: MODEL },
    };
    return (await this.call<{ id: string }>(this.usecases, 'POST', '/api/v1/deployments', body, 201)).body.id;
  }

  async deployment(id: string): Promise<Deployment> {
    return (await this.call<Deployment>(this.usecases, 'GET', `/api/v1/deployments/${id}`, undefined, 200)).body;
  }

  /** Polls every POLL_MS until the deployment shows one of `statuses`; resolves with when it was seen. */
  async until(id: string, statuses: readonly string[], timeoutMs = 60_000): Promise<{ at: number; deployment: Deployment }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const deployment = await this.deployment(id);
      const at = performance.now();
      if (statuses.includes(deployment.status)) return { at, deployment };
      if (deployment.status === 'failed' && !statuses.includes('failed'))
        throw new Error(`deployment ${id} failed: ${deployment.status_message}`);
      if (at > deadline) throw new Error(`deployment ${id} still ${deployment.status} after ${timeoutMs} ms`);
      await sleep(POLL_MS);
    }
  }

  async countByStatus(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    await Promise.all(
      deploymentStatuses.map(async (status) => {
        const page = await this.call<{ total: number }>(
          this.usecases,
          'GET',
          `/api/v1/deployments?status=${status}&page_size=1`,
          undefined,
          200,
        );
        if (page.body.total > 0) counts[status] = page.body.total;
      }),
    );
    return counts;
  }
}

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
