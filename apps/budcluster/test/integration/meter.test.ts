import { Client } from 'pg';
import { ManualClock, expectValidation, pollUntil } from '@bud/testing';
import { MeterService } from '../../src/services/meter.service';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

type Job = { id: string; status: string; actual_cost: string | null; estimated_cost_per_hour: string; resources: { replicas: number } };

const HOUR = 3_600_000;
/** $2.00 per A100-hour, $0.04 per vCPU-hour, $0.005 per GiB-hour: a replica of 1 A100, 4 vCPU and 16 GiB is $2.24/h. */
const PRICES = { gpu_hour: { A100: 2 }, vcpu_hour: 0.04, memory_gib_hour: 0.005 };
const GPU_JOB = { gpu_type: 'A100', gpu_count: 1, cpu_request: '4', memory_request: '16Gi', replicas: 1 };

/**
 * docs/design.md#metering through the HTTP API on the injected clock: start, scale 1→3 mid-minute, a price change,
 * a cancel, a failed batch job retried, deletes; exact GPU-minutes and micro-dollars in the ledger, its rollup and
 * actual_cost.
 */
describe('the usage meter on a manual clock', () => {
  let h: Harness;
  let clock: ManualClock;
  let db: Client;
  let clusterId: string;
  let meter: MeterService;
  /** A whole hour, so minute boundaries are known. */
  const T0 = Math.floor(Date.now() / HOUR) * HOUR;
  const path = (rest = '') => `/api/v1/clusters/${clusterId}${rest}`;

  beforeAll(async () => {
    clock = new ManualClock(T0 - 120_000);
    h = await startHarness({ METER_ENABLED: 'false' }, { clock });
    meter = h.service.app.get(MeterService);
    db = new Client({ connectionString: h.db.url });
    await db.connect();
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: {
        name: 'metered',
        type: 'simulated',
        price_table: PRICES,
        settings: {
          admit_delay_ms: 0,
          ready_delay_ms: 0,
          batch_run_ms: HOUR,
          faults: [{ match: { image: 'acme/crashes' }, kind: 'crash', after_seconds: 45 }],
          gpu_capacity: { A100: 8 },
        },
      },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
  });
  afterAll(async () => {
    await db.end();
    await h.stop();
  });

  const read = async (id: string) => (await h.http<Job>('GET', path(`/jobs/${id}`))).body;
  /** Moves the clock to T0 + ms, firing the simulated cluster's timers on the way. */
  const at = (ms: number) => clock.advance(T0 + ms - clock.now());
  const settle = (id: string, accept: (job: Job) => boolean, what: string) =>
    pollUntil(
      async () => {
        await clock.advance(0);
        return read(id);
      },
      accept,
      { what },
    );
  const ledgerOf = async (jobId: string) =>
    (
      await db.query<{ minute: Date; gpu_ms: string; cost: string; gpu_hour_price: string }>(
        `SELECT minute, gpu_ms, cost, gpu_hour_price FROM usage_ledger WHERE job_id = $1 ORDER BY minute, gpu_type`,
        [jobId],
      )
    ).rows.map((row) => [(row.minute.getTime() - T0) / 60_000, Number(row.gpu_ms), row.cost, row.gpu_hour_price]);

  it('meters start, scale, price change, cancel and a retried batch job exactly', async () => {
    await at(0);
    const service = await h.http<Job>('POST', path('/jobs'), { body: containerJob({ resources: GPU_JOB }) });
    expect(service.status).toBe(201);
    const batch = await h.http<Job>('POST', path('/jobs'), {
      body: containerJob({
        job_type: 'batch',
        spec: { kind: 'container', image: 'acme/crashes:1', command: ['run'] },
        resources: { cpu_request: '1', memory_request: '1Gi' },
        policy: { max_retries: 1 },
      }),
    });
    expect(batch.status).toBe(201);
    await settle(service.body.id, (job) => job.status === 'running', 'service running');

    await at(20_000);
    const scaled = await h.http<Job>('PATCH', path(`/jobs/${service.body.id}`), { body: { resources: { replicas: 3 } } });
    expect(scaled.status).toBe(200);
    expect(scaled.body.resources.replicas).toBe(3);

    await at(45_000);
    await settle(batch.body.id, (job) => job.status === 'failed', 'batch failed');
    await at(60_000);
    expect((await h.http<Job>('POST', path(`/jobs/${batch.body.id}/retry`))).status).toBe(200);
    await settle(batch.body.id, (job) => job.status === 'running', 'batch running again');
    await at(105_000);
    await settle(batch.body.id, (job) => job.status === 'failed', 'batch failed again');

    // A price change at 10:02:30 applies from the minute 10:03, never to 10:02.
    await at(150_000);
    const priced = await h.http('POST', path('/prices'), { body: { price_table: { ...PRICES, gpu_hour: { A100: 3 } } } });
    expect(priced.status).toBe(201);
    expect(priced.body).toMatchObject({ effective_from: new Date(T0 + 150_000).toISOString(), current: true });

    await at(210_000);
    expect((await h.http('DELETE', path(`/jobs/${service.body.id}`))).status).toBe(202);
    await settle(service.body.id, (job) => job.status === 'cancelled', 'service cancelled');

    await at(245_000);
    const report = await meter.tick();
    expect(report).toMatchObject({ ran: true, meteredThrough: T0 + 240_000 });

    // 10:00: 20 s × 1 + 40 s × 3 replicas; 10:01, 10:02: 3 replicas at $2.24/h; 10:03: 30 s × 3 at $3.24/h.
    expect(await ledgerOf(service.body.id)).toEqual([
      [0, 140_000, '0.087111', '2.000000'],
      [1, 180_000, '0.112000', '2.000000'],
      [2, 180_000, '0.112000', '2.000000'],
      [3, 90_000, '0.081000', '3.000000'],
    ]);
    // Two runs of 45 s at $0.045/h (562.5 µ$ each, rounded half up per row), on one job.
    expect(await ledgerOf(batch.body.id)).toEqual([
      [0, 0, '0.000563', '0.000000'],
      [1, 0, '0.000563', '0.000000'],
    ]);
    expect((await read(service.body.id)).actual_cost).toBe('0.392111');
    expect((await read(batch.body.id)).actual_cost).toBe('0.001126');

    // The rollup holds exactly the ledger, split by unit prices.
    const { rows } = await db.query<{ ledger: string; hourly: string; lines: string }>(
      `SELECT (SELECT sum(cost) FROM usage_ledger) AS ledger, (SELECT sum(cost) FROM usage_hourly) AS hourly,
              (SELECT count(*) FROM usage_hourly WHERE job_id = $1) AS lines`,
      [service.body.id],
    );
    expect(rows[0]).toEqual({ ledger: '0.393237', hourly: '0.393237', lines: '2' });

    // A repeated tick at the same time writes nothing; nothing is held afterwards, so later ticks add nothing.
    expect(await meter.tick()).toMatchObject({ rows: 0 });
    await at(600_000);
    expect(await meter.tick()).toMatchObject({ rows: 0, meteredThrough: T0 + 540_000 });

    // Deleting the job keeps its usage.
    expect((await h.http('DELETE', path(`/jobs/${service.body.id}`))).status).toBe(204);
    expect(await ledgerOf(service.body.id)).toHaveLength(4);
  });

  it('the price book: never backwards, future entries replaceable until due, promoted into the cluster by the tick', async () => {
    const now = clock.now();
    const past = await h.http('POST', path('/prices'), {
      body: { price_table: PRICES, effective_from: new Date(now - 1000).toISOString() },
    });
    expectValidation(past, 'effective_from');

    const due = new Date(now + 120_000).toISOString();
    expect(
      (await h.http('POST', path('/prices'), { body: { price_table: { ...PRICES, vcpu_hour: 1 }, effective_from: due } })).status,
    ).toBe(201);
    const replaced = await h.http('POST', path('/prices'), { body: { price_table: { ...PRICES, vcpu_hour: 0.5 }, effective_from: due } });
    expect(replaced.status).toBe(201);
    expect(replaced.body).toMatchObject({ current: false, price_table: { vcpu_hour: 0.5 } });

    const book = await h.http<{ items: Array<{ effective_from: string; current: boolean; price_table: { vcpu_hour: number } }> }>(
      'GET',
      path('/prices'),
    );
    expect(book.body.items.map((entry) => [entry.price_table.vcpu_hour, entry.current])).toEqual([
      [0.04, false],
      [0.04, true],
      [0.5, false],
    ]);

    // Another tenant neither sees nor changes the book.
    expect((await h.http('GET', path('/prices'), { caller: h.tenantB })).status).toBe(404);
    expect((await h.http('POST', path('/prices'), { caller: h.tenantB, body: { price_table: PRICES } })).status).toBe(404);

    await clock.advance(130_000);
    await meter.tick();
    const cluster = await h.http<{ price_table: { vcpu_hour: number } }>('GET', path());
    expect(cluster.body.price_table.vcpu_hour).toBe(0.5);
    // A new job is estimated at the book's current entry: 1 vCPU × $0.5 + 1 GiB × $0.005.
    const job = await h.http<Job>('POST', path('/jobs'), {
      body: containerJob({ resources: { cpu_request: '1', memory_request: '1Gi' } }),
    });
    expect(job.body.estimated_cost_per_hour).toBe('0.505000');
    // An entry already in effect is never replaced.
    const nowIso = new Date(clock.now()).toISOString();
    expect((await h.http('POST', path('/prices'), { body: { price_table: PRICES, effective_from: nowIso } })).status).toBe(201);
    expect((await h.http('POST', path('/prices'), { body: { price_table: PRICES, effective_from: nowIso } })).status).toBe(409);

    // PATCH price_table is a new entry effective now.
    await clock.advance(1000);
    const patched = await h.http('PATCH', path(), { body: { price_table: { ...PRICES, vcpu_hour: 0.07 } } });
    expect(patched.status).toBe(200);
    const after = await h.http<{ items: Array<{ effective_from: string; current: boolean; price_table: { vcpu_hour: number } }> }>(
      'GET',
      path('/prices'),
    );
    expect(after.body.items.at(-1)).toMatchObject({
      effective_from: new Date(clock.now()).toISOString(),
      current: true,
      price_table: { vcpu_hour: 0.07 },
    });
  });
  it('a job row deleted out of band while it holds resources: its segment closes at the row’s last change (fallback)', async () => {
    const created = await h.http<Job>('POST', path('/jobs'), { body: containerJob() });
    const running = await settle(created.body.id, (job) => job.status === 'running', 'running');
    const since = new Date(clock.now());
    await clock.advance(90_000);
    await db.query(`DELETE FROM jobs WHERE id = $1`, [running.id]);
    const { rows } = await db.query<{ started_at: Date; ended_at: Date | null }>(
      `SELECT started_at, ended_at FROM meter_segments WHERE job_id = $1`,
      [running.id],
    );
    expect(rows).toEqual([{ started_at: since, ended_at: since }]);
  });

  it.each([
    ['a cluster id that is not a uuid', '/api/v1/clusters/nope/prices', { price_table: PRICES }, 'id'],
    ['a negative price', null, { price_table: { ...PRICES, vcpu_hour: -1 } }, 'price_table.vcpu_hour'],
    ['an unknown field', null, { price_table: PRICES, currency: 'EUR' }, 'currency'],
    ['a malformed time', null, { price_table: PRICES, effective_from: 'tomorrow' }, 'effective_from'],
    ['no price table', null, {}, 'price_table'],
  ])('price book bad input: %s → 422 naming it', async (_, url, body, field) => {
    expectValidation(await h.http('POST', url ?? path('/prices'), { body }), field);
  });

  it('price book of a cluster that does not exist → 404', async () => {
    expect((await h.http('GET', '/api/v1/clusters/00000000-0000-4000-8000-000000000000/prices')).status).toBe(404);
  });
});
