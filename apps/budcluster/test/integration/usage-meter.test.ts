import { invoiceResponseSchema, usageResponseSchema } from '@bud/contracts';
import type { InvoiceResponse, UsageResponse } from '@bud/contracts';
import { ManualClock, pollUntil } from '@bud/testing';
import { MeterService } from '../../src/services/meter.service';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

type Job = { id: string; status: string; actual_cost: string | null };

const MINUTE = 60_000;
/** An hour before a month ends, so one job's usage falls in two months (and two ledger partitions). */
const T0 = Date.parse('2026-11-30T23:00:00Z');
const PRICES = { gpu_hour: { A100: 2 }, vcpu_hour: 0.04, memory_gib_hour: 0.005 };

/**
 * docs/design.md#usage and #invoices end to end: a job runs through the real meter (design.md#metering) on the injected
 * clock across a price change and a month boundary, then is deleted; usage, both months' invoices and the job's
 * actual_cost all agree to the micro-dollar.
 */
describe('usage and invoices through the meter', () => {
  let h: Harness;
  let clock: ManualClock;
  let clusterId: string;
  let jobId: string;
  const path = (rest = '') => `/api/v1/clusters/${clusterId}${rest}`;
  const at = (ms: number) => clock.advance(T0 + ms - clock.now());
  const usage = (query: string) => h.http<UsageResponse>('GET', `/api/v1/usage?${query}`, { schema: usageResponseSchema });
  const invoice = (period: string) => h.http<InvoiceResponse>('GET', `/api/v1/invoices/${period}`, { schema: invoiceResponseSchema });

  beforeAll(async () => {
    clock = new ManualClock(T0);
    h = await startHarness({ METER_ENABLED: 'false' }, { clock });
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: {
        name: 'usage-metered',
        type: 'simulated',
        price_table: PRICES,
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, gpu_capacity: { A100: 4 } },
      },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;

    // 1 A100, 4 vCPU, 16 GiB: $2.24/h (0.037333 a minute); from 23:30 the A100 costs $3: $3.24/h (0.054000 a minute).
    const job = await h.http<Job>('POST', path('/jobs'), {
      body: containerJob({ resources: { gpu_type: 'A100', gpu_count: 1, cpu_request: '4', memory_request: '16Gi' } }),
    });
    expect(job.status).toBe(201);
    jobId = job.body.id;
    await pollUntil(
      async () => {
        await clock.advance(0);
        return (await h.http<Job>('GET', path(`/jobs/${jobId}`))).body;
      },
      (body) => body.status === 'running',
      { what: 'job running' },
    );
    await at(30 * MINUTE);
    const priced = await h.http('POST', path('/prices'), { body: { price_table: { ...PRICES, gpu_hour: { A100: 3 } } } });
    expect(priced.status).toBe(201);
    await at(90 * MINUTE);
    expect((await h.http('DELETE', path(`/jobs/${jobId}`))).status).toBe(202);
    await at(90 * MINUTE + 10_000);
    await h.service.app.get(MeterService).tick();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('usage by hour: 30 minutes at each price in November, 30 at the new one in December', async () => {
    const answer = await usage('from=2026-11-30T22:00:00Z&to=2026-12-01T02:00:00Z&group_by=hour&by=job');
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([
      {
        period_start: '2026-11-30T23:00:00.000Z',
        key: jobId,
        gpu_hours: '1.000000',
        vcpu_hours: '4.000000',
        memory_gib_hours: '16.000000',
        cost: '2.739990',
      },
      {
        period_start: '2026-12-01T00:00:00.000Z',
        key: jobId,
        gpu_hours: '0.500000',
        vcpu_hours: '2.000000',
        memory_gib_hours: '8.000000',
        cost: '1.620000',
      },
    ]);
    const ragged = await usage('from=2026-11-30T23:45:00Z&to=2026-12-01T00:15:00Z&group_by=month&by=gpu_type');
    expect(ragged.body.items).toEqual([
      {
        period_start: '2026-11-01T00:00:00.000Z',
        key: 'A100',
        gpu_hours: '0.250000',
        vcpu_hours: '1.000000',
        memory_gib_hours: '4.000000',
        cost: '0.810000',
      },
      {
        period_start: '2026-12-01T00:00:00.000Z',
        key: 'A100',
        gpu_hours: '0.250000',
        vcpu_hours: '1.000000',
        memory_gib_hours: '4.000000',
        cost: '0.810000',
      },
    ]);
  });

  it("each month's invoice has its lines; together they are the job's actual_cost after its DELETE", async () => {
    const november = await invoice('2026-11');
    expect(november.body).toMatchObject({
      status: 'closed',
      metered_through: '2026-12-01T00:30:00.000Z',
      total: '2.739990',
      total_due: '2.74',
    });
    expect(november.body.deployments).toHaveLength(1);
    expect(
      november.body.deployments[0].lines.map((line) => [line.job_id, line.unit_prices.gpu_hour, line.quantities.gpu_hours, line.amount]),
    ).toEqual([
      [jobId, '2.000000', '0.500000', '1.119990'],
      [jobId, '3.000000', '0.500000', '1.620000'],
    ]);
    const december = await invoice('2026-12');
    expect(december.body).toMatchObject({ status: 'open', total: '1.620000', total_due: '1.62' });
    const job = await h.http<Job>('GET', path(`/jobs/${jobId}`));
    expect(job.body).toMatchObject({ status: 'cancelled', actual_cost: '4.359990' });
  });
});
