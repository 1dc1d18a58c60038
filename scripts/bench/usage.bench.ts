import { Pool } from 'pg';
import { startBenchBudcluster } from './bench-budcluster';
import { request } from './http-client';
import type { BenchResult } from './stats';
import { median, percentile, repeat, round, summarize } from './stats';
import { MILLION_ROWS, seedUsage } from './usage-seed';

const RUNS = 5;
const QUERIES_PER_RUN = 100;
const DAY_MS = 86_400_000;

/**
 * docs/design.md#usage: `GET /api/v1/usage` over 1,000,000 ledger rows and their hourly rollup, 30 days by day for one
 * of two tenants, through budcluster's API (token check, validation, SQL, rendering). The range starts and ends off
 * the hour, so both ledger edges are read too. Meter off: nothing else writes during the measure.
 */
export async function benchUsage(serverUrl: string): Promise<BenchResult[]> {
  const bench = await startBenchBudcluster(serverUrl, { METER_ENABLED: 'false' });
  const pool = new Pool({ connectionString: bench.databaseUrl, max: 1 });
  try {
    const seedStarted = Date.now();
    const seeded = await seedUsage(pool, MILLION_ROWS);
    const seedMs = Date.now() - seedStarted;
    if (seeded.rows !== 1_000_000) throw new Error(`seeded ${seeded.rows} ledger rows, not 1,000,000`);
    const headers = { authorization: `Bearer ${await bench.token(['billing:view'], seeded.tenantId)}` };
    const to = new Date(seeded.to.getTime() - DAY_MS - 13 * 60_000);
    const from = new Date(to.getTime() - 30 * DAY_MS);
    const url = `${bench.service.url}/api/v1/usage?from=${from.toISOString()}&to=${to.toISOString()}&group_by=day`;
    const first = await request(url, 'GET', undefined, headers);
    if (first.status !== 200) throw new Error(`usage answered ${first.status}: ${first.body}`);
    const days = (JSON.parse(first.body) as { items: unknown[] }).items.length;
    if (days !== 31) throw new Error(`a 30-day by-day query off midnight gave ${days} rows, not 31`);
    const all: number[] = [];
    const p99s = await repeat(RUNS, async () => {
      const samples: number[] = [];
      for (let i = 0; i < QUERIES_PER_RUN; i++) {
        const started = process.hrtime.bigint();
        const answer = await request(url, 'GET', undefined, headers);
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (answer.status !== 200) throw new Error(`usage answered ${answer.status}: ${answer.body}`);
      }
      all.push(...samples);
      return round(percentile(samples, 99));
    });
    return [
      summarize('usage.query_1m.p99_ms', 'ms', p99s, {
        note:
          `target ≤ 50; p99 of ${QUERIES_PER_RUN} sequential queries per run (median query ${round(median(all))} ms); ` +
          `1,000,000 ledger rows seeded in ${seedMs} ms`,
      }),
    ];
  } finally {
    await pool.end();
    await bench.stop();
  }
}
