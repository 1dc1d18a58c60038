import type { BenchResult } from './stats';
import { percentile, repeat, round, summarize } from './stats';
import type { Deployment } from './bench-services';
import { POLL_MS, Services, sleep } from './bench-services';

const RUNS = 5;
const UPDATES_PER_RUN = 10;
const FAULTS_PER_RUN = 10;

const RESULTS = {
  update: 'deploy.update.p50_ms',
  health: 'health.propagation.p99_ms',
} as const;

/** Day 2 (docs/design.md#deployment-update, #job-health): in-place update and health propagation, simulated, zero delays. */
export async function benchDay2(serverUrl: string, only?: string): Promise<BenchResult[]> {
  const wanted = (name: string) => !only || name.startsWith(only) || only.startsWith(name);
  const results: BenchResult[] = [];
  // No grace: the measure is the pipeline from the fault to the API, not the operator's patience setting.
  const services = await Services.start(serverUrl, 'day2', { budusecases: { DEGRADED_GRACE_MS: '0' } });
  try {
    if (wanted(RESULTS.update)) results.push(await services.explain(() => updateToRunning(services)));
    if (wanted(RESULTS.health)) results.push(await services.explain(() => healthPropagation(services)));
  } finally {
    await services.stop();
  }
  return results;
}

/** Polls until `seen` holds for the deployment; resolves with when it was first seen. */
async function until(services: Services, id: string, seen: (d: Deployment) => boolean, what: string, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const deployment = await services.deployment(id);
    const at = performance.now();
    if (seen(deployment)) return at;
    if (at > deadline) throw new Error(`deployment ${id} never ${what}; it is ${deployment.status}: ${deployment.status_message}`);
    await sleep(POLL_MS);
  }
}

/**
 * `PATCH /deployments/{id}` of simple-chatbot's gpu_count (the llm component rolls in place) until the deployment is
 * running again with the llm at its new generation.
 */
async function updateToRunning(services: Services): Promise<BenchResult> {
  const clusterId = await services.fastCluster();
  const id = await services.deploy(clusterId, 'simple-chatbot-v1', { gpu_count: 1 });
  await services.until(id, ['running']);
  let gpus = 1;
  const once = async () => {
    const before = await services.deployment(id);
    const generation = before.components?.find((c) => c.id === 'llm')?.generation ?? 0;
    gpus = gpus === 1 ? 2 : 1;
    const started = performance.now();
    await services.call(services.usecases, 'PATCH', `/api/v1/deployments/${id}`, { parameters: { gpu_count: gpus } }, 200);
    const llmAt = (d: Deployment) => d.components?.find((c) => c.id === 'llm');
    const at = await until(
      services,
      id,
      (d) => d.status === 'running' && (llmAt(d)?.generation ?? 0) > generation && llmAt(d)?.status === 'running',
      'ran the new generation',
    );
    return at - started;
  };
  for (let i = 0; i < 3; i++) await once();
  const all: number[] = [];
  const p50 = await repeat(RUNS, async () => {
    const samples: number[] = [];
    for (let i = 0; i < UPDATES_PER_RUN; i++) samples.push(await once());
    all.push(...samples);
    return percentile(samples, 50);
  });
  return summarize(RESULTS.update, 'ms', p50, {
    note: `${UPDATES_PER_RUN} sequential updates per run (simple-chatbot gpu_count 1↔2, the llm rolls in place), polled every ${POLL_MS} ms; all ${all.length}: p90 ${round(percentile(all, 90))} max ${round(Math.max(...all))} ms`,
  });
}

/**
 * A simulated `unready` fault set on a running deployment's cluster (it fires at once) until GET /deployments/{id} shows
 * it degraded: driver report → job health event through the outbox → budusecases fold → reconciler → API. The fault is
 * then removed and the deployment recovers before the next sample.
 */
async function healthPropagation(services: Services): Promise<BenchResult> {
  const clusterId = await services.fastCluster();
  const id = await services.deploy(clusterId, 'simple-chatbot-v1');
  await services.until(id, ['running']);
  const setFaults = (faults: unknown[]) =>
    services.call(services.cluster, 'PATCH', `/api/v1/clusters/${clusterId}`, { settings: { faults } }, 200);
  const once = async () => {
    const started = performance.now();
    await setFaults([{ match: { job_name: 'chat-ui' }, kind: 'unready' }]);
    const at = await until(services, id, (d) => d.status === 'degraded', 'turned degraded');
    await setFaults([]);
    await until(services, id, (d) => d.status === 'running', 'recovered');
    return at - started;
  };
  for (let i = 0; i < 3; i++) await once();
  const all: number[] = [];
  const p99 = await repeat(RUNS, async () => {
    const samples: number[] = [];
    for (let i = 0; i < FAULTS_PER_RUN; i++) samples.push(await once());
    all.push(...samples);
    return percentile(samples, 99);
  });
  return summarize(RESULTS.health, 'ms', p99, {
    note: `PATCH of the cluster's faults (chat-ui unready) → deployment degraded in the API, DEGRADED_GRACE_MS=0; p99 of ${FAULTS_PER_RUN} per run (polled every ${POLL_MS} ms); all ${all.length}: p50 ${round(percentile(all, 50))} max ${round(Math.max(...all))} ms`,
  });
}
