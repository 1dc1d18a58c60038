import { BUDGET_THRESHOLD_EVENT_TYPE, budgetResponseSchema, budgetThresholdEventDataSchema, pageOf } from '@bud/contracts';
import type { CloudEvent } from '@bud/contracts';
import { ManualClock, pollUntil } from '@bud/testing';
import { DataSource } from 'typeorm';
import { MeterService } from '../../src/services/meter.service';
import { containerJob, startHarness } from '../support/harness';
import type { Caller, Harness } from '../support/harness';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** $60 per A100-hour and nothing else: one A100 costs exactly $1 a minute. */
const PRICES = { gpu_hour: { A100: 60 }, vcpu_hour: 0, memory_gib_hour: 0 };
const GPU_JOB = { gpu_type: 'A100', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 };

/**
 * docs/design.md#budget-events end to end through the meter on the injected clock: the spend the meter writes crosses
 * each threshold once — a tick that meters nothing new and later ticks publish nothing again —
 * and a block_new budget then refuses new work.
 */
describe('budgets on the metered ledger', () => {
  let h: Harness;
  let clock: ManualClock;
  let tenant: Caller;
  let clusterId: string;
  /** Two whole hours ago: the relay finds the events (queued at the clock's time) due at once. */
  const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const at = (ms: number) => clock.advance(T0 + ms - clock.now());
  const tick = () => h.service.app.get(MeterService).tick();
  const thresholdEvents = (budgetId: string) =>
    h.subscriber.received
      .filter((e: CloudEvent) => e.type === BUDGET_THRESHOLD_EVENT_TYPE)
      .map((e) => budgetThresholdEventDataSchema.parse(e.data))
      .filter((e) => e.budget_id === budgetId);
  const budgets = async () => (await h.http('GET', '/api/v1/budgets', { caller: tenant, schema: pageOf(budgetResponseSchema) })).body.items;

  beforeAll(async () => {
    clock = new ManualClock(T0 - MINUTE);
    h = await startHarness({ METER_ENABLED: 'false' }, { clock });
    tenant = await h.caller(['billing:view', 'billing:manage', 'job:view', 'job:manage', 'cluster:manage']);
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: tenant,
      body: {
        name: 'metered',
        type: 'simulated',
        price_table: PRICES,
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, gpu_capacity: { A100: 8 } },
      },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('crosses 50% and 100% of a $3 budget once each as the meter writes $1 a minute; block_new then refuses new work', async () => {
    await at(0);
    const job = await h.http<{ id: string }>('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      caller: tenant,
      body: containerJob({ resources: GPU_JOB }),
    });
    expect(job.status).toBe(201);
    await pollUntil(
      async () => {
        await clock.advance(0);
        return (await h.http<{ status: string }>('GET', `/api/v1/clusters/${clusterId}/jobs/${job.body.id}`, { caller: tenant })).body
          .status;
      },
      (status) => status === 'running',
      { what: 'the job running' },
    );
    const put = await h.http('PUT', '/api/v1/budgets', {
      caller: tenant,
      body: { monthly_amount: '3', thresholds: [50], action: 'block_new' },
      schema: budgetResponseSchema,
    });
    expect(put.body).toMatchObject({ spent: '0.000000', crossed: [] });
    const budgetId = put.body.id;

    // Two minutes metered: $2 ≥ $1.50.
    await at(2 * MINUTE + 10_000);
    expect(await tick()).toMatchObject({ ran: true, meteredThrough: T0 + 2 * MINUTE });
    await pollUntil(
      () => thresholdEvents(budgetId),
      (events) => events.length === 1,
      { what: 'the 50% event' },
    );
    expect((await budgets())[0]).toMatchObject({ spent: '2.000000', remaining: '1.000000', crossed: [50] });
    // A tick with nothing new to meter crosses nothing again.
    expect(await tick()).toMatchObject({ rows: 0 });

    // Four minutes: $4 ≥ $3.
    await at(4 * MINUTE + 10_000);
    expect(await tick()).toMatchObject({ ran: true, meteredThrough: T0 + 4 * MINUTE });
    await pollUntil(
      () => thresholdEvents(budgetId),
      (events) => events.length === 2,
      { what: 'the 100% event' },
    );
    expect(thresholdEvents(budgetId).map((e) => [e.threshold, e.spent, e.action])).toEqual([
      [50, '2.000000', 'block_new'],
      [100, '4.000000', 'block_new'],
    ]);
    expect((await budgets())[0]).toMatchObject({ spent: '4.000000', remaining: '-1.000000', crossed: [50, 100] });

    const refused = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      caller: tenant,
      body: containerJob({ resources: GPU_JOB }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toContainEqual({ path: 'resources', message: expect.stringMatching(/^over budget by \$/) });

    // More minutes, more ticks: every threshold is already recorded this month.
    await at(6 * MINUTE + 10_000);
    await tick();
    expect((await budgets())[0]).toMatchObject({ spent: '6.000000', crossed: [50, 100] });
    const queued = await h.service.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM outbox WHERE event->>'type' = $1 AND event->'data'->>'budget_id' = $2`, [
        BUDGET_THRESHOLD_EVENT_TYPE,
        budgetId,
      ]);
    expect(queued[0].n).toBe(2);
  });
});
