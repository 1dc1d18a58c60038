import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ServiceProcess, freePort } from '@bud/testing';
import { residentTreeMb, settledMb } from './process-memory';
import type { BenchResult } from './stats';
import { median, repeat, round, summarize } from './stats';

/** `--only startup.cold_s` or `--only startup.idle_rss_mb` runs just that half. */
export async function benchStartup(only?: string): Promise<BenchResult[]> {
  const wanted = (prefix: string) => !only || only.startsWith(prefix) || prefix.startsWith(only);
  return [...(wanted('startup.cold_s') ? await benchColdStart() : []), ...(wanted('startup.idle_rss_mb') ? await benchIdleMemory() : [])];
}

/** Cold start: a fresh data dir, embedded Postgres, migrations, local cluster, listening and ready. */
async function benchColdStart(): Promise<BenchResult[]> {
  const cold = await repeat(5, async () => {
    const dataDir = `/tmp/bud-bench-start-${randomUUID()}`;
    const service = new ServiceProcess('dist/apps/budcluster/src/main.js', { DATA_DIR: dataDir, LOG_LEVEL: 'error' }, await freePort());
    const started = performance.now();
    await service.start(60_000);
    const seconds = (performance.now() - started) / 1000;
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    return seconds;
  });
  const bare = await repeat(5, async () => {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`]);
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const seconds = (performance.now() - started) / 1000;
    child.kill();
    return seconds;
  });
  const bareMedian = round(median(bare));
  return [
    summarize('startup.cold_s', 's', cold, {
      baseline: { name: 'bare node:http hello', median: bareMedian },
      ratio: round(median(cold) / bareMedian),
    }),
  ];
}

/**
 * Idle memory of the pair as `npm start` runs it: both services at once on one fresh DATA_DIR with their
 * embedded engines, ready, then left alone until their resident memory settles. Counts each service's
 * process tree, so an engine or helper in a child process would be included.
 */
async function benchIdleMemory(): Promise<BenchResult[]> {
  const samples = { budcluster: [] as number[], budusecases: [] as number[], pair: [] as number[] };
  await repeat(5, async () => {
    const dataDir = `/tmp/bud-bench-idle-${randomUUID()}`;
    const [clusterPort, usecasesPort] = [await freePort(), await freePort()];
    const env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      BUDCLUSTER_URL: `http://127.0.0.1:${clusterPort}`,
      BUDUSECASES_URL: `http://127.0.0.1:${usecasesPort}`,
    };
    const budcluster = new ServiceProcess('dist/apps/budcluster/src/main.js', env, clusterPort);
    const budusecases = new ServiceProcess('dist/apps/budusecases/src/main.js', env, usecasesPort);
    try {
      await Promise.all([budcluster.start(90_000), budusecases.start(90_000)]);
      const tree = (service: ServiceProcess) => (service.pid ? residentTreeMb(service.pid) : 0);
      const pair = await settledMb(() => tree(budcluster) + tree(budusecases));
      samples.pair.push(pair);
      samples.budcluster.push(tree(budcluster));
      samples.budusecases.push(tree(budusecases));
    } finally {
      await Promise.all([budusecases.stop(), budcluster.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    }
    return 0;
  });
  const note = 'VmRSS after start-up and migrations, fresh DATA_DIR, embedded defaults';
  return [
    summarize('startup.idle_rss_mb', 'MB', samples.pair, { note: `budcluster + budusecases; ${note}` }),
    summarize('startup.idle_rss_mb.budcluster', 'MB', samples.budcluster, { note }),
    summarize('startup.idle_rss_mb.budusecases', 'MB', samples.budusecases, { note }),
  ];
}
