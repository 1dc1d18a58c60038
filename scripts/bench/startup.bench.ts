import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ServiceProcess, freePort } from '@bud/testing';
import type { BenchResult } from './stats';
import { median, repeat, round, summarize } from './stats';

/** Cold start: a fresh data dir, embedded Postgres, migrations, local cluster, listening and ready. */
export async function benchStartup(): Promise<BenchResult[]> {
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
