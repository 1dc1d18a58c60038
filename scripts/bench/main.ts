// `npm run bench [-- --json file] [-- --only prefix]`: measures the targets of docs/design.md#performance-targets. Each measure
// runs ≥ 5 times and reports median and spread; baselines are measured in the same run.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchResult } from './stats';
import { benchDay2 } from './day2.bench';
import { benchDeploy } from './deploy.bench';
import { benchDomain } from './domain.bench';
import { benchJobsApi } from './jobs-api.bench';
import { benchJobsList } from './jobs-list.bench';
import { benchMeter } from './meter.bench';
import { benchQueue } from './queue.bench';
import { benchResolve } from './resolve.bench';
import { benchStartup } from './startup.bench';
import { benchUsage } from './usage.bench';
import { databaseForBench } from './bench-database';

interface Measure {
  prefix: string;
  /** Further result prefixes the measure emits (`--only` selects the measure by any of them). */
  also?: string[];
  run(databaseUrl: string, only?: string): Promise<BenchResult[]>;
}

const measures: Measure[] = [
  { prefix: 'domain.', run: () => benchDomain() },
  { prefix: 'jobs.create', run: (url) => benchJobsApi(url) },
  { prefix: 'jobs.list', run: (url) => benchJobsList(url) },
  { prefix: 'startup.', run: (_url, only) => benchStartup(only) },
  { prefix: 'resolve.', run: () => benchResolve() },
  { prefix: 'deploy.', also: ['status.'], run: (url, only) => benchDeploy(url, only) },
  { prefix: 'deploy.update.', also: ['health.'], run: (url, only) => benchDay2(url, only) },
  { prefix: 'queue.', run: (url, only) => benchQueue(url, only) },
  { prefix: 'usage.', run: (url) => benchUsage(url) },
  { prefix: 'meter.', run: (url) => benchMeter(url) },
];

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const only = argument('--only');
  const jsonFile = argument('--json');
  const database = await databaseForBench();
  const results: BenchResult[] = [];
  for (const measure of measures) {
    const prefixes = [measure.prefix, ...(measure.also ?? [])];
    if (only && !prefixes.some((prefix) => prefix.startsWith(only) || only.startsWith(prefix))) continue;
    process.stdout.write(`bench: ${prefixes.map((prefix) => `${prefix}*`).join(' ')}\n`);
    for (const result of await measure.run(database.url, only)) {
      if (only && !result.name.startsWith(only)) continue;
      results.push(result);
      const spread = `min ${result.min} max ${result.max}, ${result.runs} runs`;
      const ratio = result.ratio !== undefined ? `  ratio ${result.ratio} to ${result.baseline?.name} (${result.baseline?.median})` : '';
      process.stdout.write(
        `  ${result.name.padEnd(42)} ${String(result.median).padStart(12)} ${result.unit.padEnd(8)} (${spread})${ratio}${result.note ? `  — ${result.note}` : ''}\n`,
      );
    }
  }
  await database.stop();
  const report = { machine: { cores: os.cpus().length, node: process.version, database: database.kind }, results };
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
