import { Client } from 'pg';
import type { Registry } from 'prom-client';
import { ManualClock, expectValidation, pollUntil } from '@bud/testing';
import { MeterService } from '../../src/services/meter.service';
import { METRICS_REGISTRY } from '../../src/services/metrics';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** One A100 at $60/h: a dollar a minute. */
const DOLLAR_A_MINUTE = { gpu_hour: { A100: 60 }, vcpu_hour: 0, memory_gib_hour: 0 };
const GPU_JOB = { gpu_type: 'A100', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 };
/** 100 replicas × 16 TiB = 1,638,400 GiB: $16.4M/h at $10 per GiB-hour, $163.8M/h (past the $100M/h bound) at $100. */
const HUGE_JOB = { cpu_request: '1', memory_request: '16Ti', replicas: 100 };
const FREE = { gpu_hour: {}, vcpu_hour: 0, memory_gib_hour: 0 };

/**
 * docs/design.md#price-book against the meter: a deleted cluster's unmetered minutes are priced with its book (which
 * outlives it), a price that would make an active job cost more than the per-job hourly bound is refused, and the
 * last-resort cap on actual_cost is counted.
 */
describe('the price book and the meter', () => {
  let h: Harness;
  let clock: ManualClock;
  let db: Client;
  let meter: MeterService;
  let registry: Registry;
  /** A whole hour, six hours ago, so minute boundaries are known and the meter's horizon is ahead of it. */
  const T0 = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
  const at = (ms: number) => clock.advance(T0 + ms - clock.now());

  beforeAll(async () => {
    clock = new ManualClock(T0 - MINUTE);
    h = await startHarness({ METER_ENABLED: 'false' }, { clock });
    meter = h.service.app.get(MeterService);
    registry = h.service.app.get<Registry>(METRICS_REGISTRY);
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.stop();
  });

  const cluster = async (name: string, price_table: unknown): Promise<string> => {
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: { name, type: 'simulated', price_table, settings: { admit_delay_ms: 0, ready_delay_ms: 0, gpu_capacity: { A100: 8 } } },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };
  const runningJob = async (clusterId: string, resources: unknown): Promise<string> => {
    const created = await h.http<{ id: string }>('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob({ resources }) });
    expect(created.status).toBe(201);
    await pollUntil(
      async () => {
        await clock.advance(0);
        return (await h.http<{ status: string }>('GET', `/api/v1/clusters/${clusterId}/jobs/${created.body.id}`)).body.status;
      },
      (status) => status === 'running',
      { what: 'running' },
    );
    return created.body.id;
  };

  it('a cluster deleted before its minutes are metered: the minutes are priced with its book, not at $0', async () => {
    await at(0);
    const clusterId = await cluster('deleted-later', DOLLAR_A_MINUTE);
    const jobId = await runningJob(clusterId, GPU_JOB);
    await at(30 * MINUTE); // 30 held minutes, none metered yet (the meter is behind)
    expect((await h.http('DELETE', `/api/v1/clusters/${clusterId}?force=true`)).status).toBe(204);
    expect((await h.http('GET', `/api/v1/clusters/${clusterId}/prices`)).status).toBe(404);

    await at(31 * MINUTE + 10_000);
    await meter.tick();
    const { rows } = await db.query<{ n: number; cost: string; gpu_ms: string; prices: string[] }>(
      `SELECT count(*)::int AS n, sum(cost)::text AS cost, sum(gpu_ms)::text AS gpu_ms, array_agg(DISTINCT gpu_hour_price::text) AS prices
         FROM usage_ledger WHERE job_id = $1`,
      [jobId],
    );
    expect(rows[0]).toEqual({ n: 30, cost: '30.000000', gpu_ms: String(30 * MINUTE), prices: ['60.000000'] });
  });

  it('a price that would make an active job cost more than $100M/h is refused naming the price; one within it is taken', async () => {
    await at(40 * MINUTE);
    const clusterId = await cluster('price-capped', FREE);
    await runningJob(clusterId, HUGE_JOB);
    const prices = `/api/v1/clusters/${clusterId}/prices`;
    const tooDear = { ...FREE, memory_gib_hour: 100 };

    expectValidation(await h.http('POST', prices, { body: { price_table: tooDear } }), 'price_table.memory_gib_hour');
    // A future entry would price the job too once due.
    expectValidation(
      await h.http('POST', prices, { body: { price_table: tooDear, effective_from: new Date(clock.now() + HOUR).toISOString() } }),
      'price_table.memory_gib_hour',
    );
    expectValidation(
      await h.http('PATCH', `/api/v1/clusters/${clusterId}`, { body: { price_table: tooDear } }),
      'price_table.memory_gib_hour',
    );
    const book = await h.http<{ items: unknown[] }>('GET', prices);
    expect(book.body.items).toHaveLength(1);

    await clock.advance(1000); // not at the create's entry, which is in effect (409)
    const taken = await h.http('POST', prices, { body: { price_table: { ...FREE, memory_gib_hour: 10 } } });
    expect(taken.status).toBe(201);
  });

  it('the cap on actual_cost (what numeric(18, 6) holds) is a counted last resort: the ledger keeps the whole amount', async () => {
    const clampedCount = async () =>
      (await registry.getSingleMetric('bud_meter_actual_cost_clamped_total')?.get())?.values.reduce((sum, value) => sum + value.value, 0);
    expect(await clampedCount()).toBe(0);
    await at(41 * MINUTE);
    const clusterId = await cluster('nearly-full', DOLLAR_A_MINUTE);
    const jobId = await runningJob(clusterId, GPU_JOB);
    await db.query(`UPDATE jobs SET actual_cost = 999999999998.500000 WHERE id = $1`, [jobId]);
    await at(45 * MINUTE + 10_000);
    await meter.tick();

    const ledger = await db.query<{ cost: string }>(`SELECT sum(cost)::text AS cost FROM usage_ledger WHERE job_id = $1`, [jobId]);
    expect(ledger.rows[0].cost).toBe('4.000000');
    const job = await db.query<{ actual_cost: string }>(`SELECT actual_cost::text FROM jobs WHERE id = $1`, [jobId]);
    expect(job.rows[0].actual_cost).toBe('999999999999.999999');
    expect(await clampedCount()).toBe(1);
  });
});
