import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startBenchBudcluster } from './bench-budcluster';
import { request } from './http-client';
import type { BenchResult } from './stats';
import { median, pool, round, summarize } from './stats';

const SEED_JOBS = 1000;
const JOBS_PER_RUN = 1000;
const CONCURRENCY = 32;
/** Runs per phase; phases alternate off, on, off, on so a busy machine's drift falls on both sides. */
const RUNS = 3;
const PHASES = [false, true, false, true];

const jobBody = () => ({
  name: `meter-${randomUUID().slice(0, 8)}`,
  job_type: 'service',
  spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }] },
  resources: { cpu_request: '2', memory_request: '8Gi' },
});

interface Phase {
  rates: number[];
  ledgerRows: number;
  heldJobs: number;
}

/**
 * `meter.overhead` (docs/operations.md#what-the-meter-costs): jobs.create per second with the meter on ÷ with it off,
 * in the same run. On: the worker ticks every second with no lateness, and every job created is held (admitted at
 * once), so each minute the meter writes a row per job — 1,000 seeded plus every job the phase's runs create. Off:
 * METER_ENABLED=false and the segment trigger on jobs disabled, i.e. no metering at all.
 */
export async function benchMeter(serverUrl: string): Promise<BenchResult[]> {
  const off: number[] = [];
  const on: number[] = [];
  let ledgerRows = 0;
  let heldJobs = 0;
  for (const meterOn of PHASES) {
    const result = await phase(serverUrl, meterOn);
    (meterOn ? on : off).push(...result.rates);
    if (meterOn) {
      ledgerRows += result.ledgerRows;
      heldJobs = Math.max(heldJobs, result.heldJobs);
    }
  }
  const ratio = round(median(on) / median(off));
  return [
    summarize('meter.overhead', 'ratio', [ratio], {
      baseline: { name: 'jobs.create/s with the meter off', median: round(median(off)) },
      ratio,
      note: `on: ${round(median(on))} jobs/s over ${on.length} runs in ${PHASES.filter(Boolean).length} phases, the meter writing ${ledgerRows} ledger rows for up to ${heldJobs} held jobs; target ≥ 0.95`,
    }),
    summarize('meter.create_on.per_s', 'jobs/s', on),
    summarize('meter.create_off.per_s', 'jobs/s', off),
  ];
}

async function phase(serverUrl: string, meterOn: boolean): Promise<Phase> {
  const bench = await startBenchBudcluster(
    serverUrl,
    meterOn ? { METER_ENABLED: 'true', METER_TICK_MS: '1000', METER_LATENESS_MS: '0' } : { METER_ENABLED: 'false' },
  );
  const db = new Client({ connectionString: bench.databaseUrl });
  await db.connect();
  try {
    await db.query(`ALTER TABLE jobs ${meterOn ? 'ENABLE' : 'DISABLE'} TRIGGER jobs_meter_segment`);
    const headers = { authorization: `Bearer ${await bench.token(['job:manage', 'job:view', 'cluster:manage'])}` };
    const created = await request(
      `${bench.service.url}/api/v1/clusters`,
      'POST',
      { name: `meter-${meterOn ? 'on' : 'off'}`, type: 'simulated', settings: { admit_delay_ms: 0, ready_delay_ms: 0 } },
      headers,
    );
    const cluster = JSON.parse(created.body) as { id: string };
    const createJobs = async (count: number) => {
      const started = performance.now();
      await pool(Array.from({ length: count }, jobBody), CONCURRENCY, async (body) => {
        const answer = await request(`${bench.service.url}/api/v1/clusters/${cluster.id}/jobs`, 'POST', body, headers);
        if (answer.status !== 201) throw new Error(`create answered ${answer.status}: ${answer.body}`);
      });
      return count / ((performance.now() - started) / 1000);
    };
    await createJobs(SEED_JOBS);
    const ledger = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM usage_ledger')).rows[0]?.n ?? 0);
    const before = await ledger();
    // Measure across a minute boundary (where the meter writes a row per held job): start 15 s before one.
    await new Promise((resolve) => setTimeout(resolve, (105_000 - (Date.now() % 60_000)) % 60_000));
    const rates: number[] = [];
    while (rates.length < RUNS) rates.push(await createJobs(JOBS_PER_RUN));
    return { rates, ledgerRows: (await ledger()) - before, heldJobs: SEED_JOBS + rates.length * JOBS_PER_RUN };
  } finally {
    // The embedded engine is one database for both phases: leave it as the next phase expects it.
    await db.query('ALTER TABLE jobs ENABLE TRIGGER jobs_meter_segment').catch(() => undefined);
    await db.end();
    await bench.stop();
    if (!process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) await emptyEmbedded(serverUrl);
  }
}

/** Removes the phase's jobs and usage from the shared embedded database (its cluster stays, empty). */
async function emptyEmbedded(url: string): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    for (const table of ['job_events', 'outbox', 'usage_ledger', 'usage_hourly', 'meter_segments', 'meter_state', 'jobs'])
      await db.query(`DELETE FROM ${table}`);
  } finally {
    await db.end();
  }
}
