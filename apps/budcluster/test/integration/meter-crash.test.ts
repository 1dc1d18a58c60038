import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { scopes } from '@bud/contracts';
import { ManualClock, TestEventSubscriber, callApi, createTestDatabase, newCaller, newServiceCaller, pollUntil } from '@bud/testing';
import type { Caller, TestDatabase } from '@bud/testing';
import { startBudcluster } from '../../src/budcluster.app';
import type { RunningBudcluster } from '../../src/budcluster.app';
import { loadBudclusterConfig } from '../../src/config/budcluster.config';
import { crashPoints } from '../../src/services/crash-points';
import { InjectedFault } from '../../src/services/crash-points';
import { MeterService } from '../../src/services/meter.service';
import { JWT_SECRET, containerJob, testBudclusterEnv } from '../support/harness';

const HOUR = 3_600_000;
/** A replica of 1 A100, 4 vCPU and 16 GiB at these prices costs $2.24/h: 37,333 µ$ a full minute, 18,667 µ$ for 30 s. */
const PRICES = { gpu_hour: { A100: 2 }, vcpu_hour: 0.04, memory_gib_hour: 0.005 };

/**
 * docs/design.md#metering: the meter fails at each named step (CRASH_AT=<point>:2:error — the second hour of a
 * catch-up, after the first hour committed), the service is stopped and another one started on the same database:
 * the ledger ends with every minute exactly once — no double count, no gap — and the rollup, actual_cost and the
 * deployment's accrued total agree.
 */
describe.each(crashPoints)('the meter fails at %s', (point) => {
  let db: TestDatabase;
  let subscriber: TestEventSubscriber;
  let pg: Client;
  let clock: ManualClock;
  let caller: Caller;
  let service: RunningBudcluster | undefined;
  const T0 = Math.floor(Date.now() / HOUR) * HOUR;

  const start = (env: Record<string, string>) =>
    startBudcluster(loadBudclusterConfig({ PORT: '0', ...testBudclusterEnv(db, subscriber.url), METER_ENABLED: 'false', ...env }), {
      clock,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    subscriber = new TestEventSubscriber(['job-events']);
    await subscriber.start();
    clock = new ManualClock(T0);
    caller = await newCaller(
      JWT_SECRET,
      scopes.filter((scope) => scope !== 'platform:admin'),
    );
  });
  afterAll(async () => {
    await pg?.end();
    await service?.stop();
    await subscriber.stop();
    await db.drop();
  });

  const totals = async () =>
    (
      await pg.query<{
        rows: string;
        minutes: string;
        ledger: string | null;
        hourly: string | null;
        actual: string | null;
        deployments: string | null;
        through: Date | null;
      }>(
        `SELECT (SELECT count(*) FROM usage_ledger) AS rows, (SELECT count(DISTINCT minute) FROM usage_ledger) AS minutes,
                (SELECT sum(cost) FROM usage_ledger) AS ledger, (SELECT sum(cost) FROM usage_hourly) AS hourly,
                (SELECT sum(actual_cost) FROM jobs) AS actual, (SELECT sum(cost) FROM deployment_usage_totals) AS deployments,
                (SELECT metered_through FROM meter_state) AS through`,
      )
    ).rows[0];

  it('loses nothing and counts nothing twice after a restart', async () => {
    service = await start({ CRASH_AT: `${point}:2:error` });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const http = (method: string, path: string, body?: unknown) => callApi<any>(service!.url, caller, method, path, { body });
    const cluster = await http('POST', '/api/v1/clusters', {
      name: 'crash-meter',
      type: 'simulated',
      price_table: PRICES,
      settings: { admit_delay_ms: 0, ready_delay_ms: 0, gpu_capacity: { A100: 8 } },
    });
    expect(cluster.status).toBe(201);
    await clock.advance(30_000);
    // A deployment's job (budusecases creates those), so the deployment's accrued total is metered too.
    const budusecases = await newServiceCaller('budusecases', 'budcluster', caller.tenantId);
    const job = await callApi<any>(service.url, budusecases, 'POST', `/api/v1/clusters/${cluster.body.id}/jobs`, {
      body: {
        ...containerJob(),
        source_type: 'usecase',
        source_id: 'llm#1',
        usecase_deployment_id: randomUUID(),
        resources: { gpu_type: 'A100', gpu_count: 1, cpu_request: '4', memory_request: '16Gi' },
      },
    });
    expect(job.status).toBe(201);
    await pollUntil(
      async () => {
        await clock.advance(0);
        return (await http('GET', `/api/v1/clusters/${cluster.body.id}/jobs/${job.body.id}`)).body.status;
      },
      (status) => status === 'running',
      { what: 'job running' },
    );

    // Two hours and a bit later: the catch-up is two transactions; the second fails at the named step.
    await clock.advance(2 * HOUR - 20_000);
    await expect(service.app.get(MeterService).tick()).rejects.toThrow(InjectedFault);
    expect(await totals()).toEqual({
      rows: '60',
      minutes: '60',
      ledger: '2.221314', // 18,667 µ$ + 59 × 37,333 µ$
      hourly: '2.221314',
      actual: '2.221314',
      deployments: '2.221314',
      through: new Date(T0 + HOUR),
    });

    await service.stop();
    service = await start({});
    const report = await service.app.get(MeterService).tick();
    expect(report).toMatchObject({ chunks: 1, rows: 60, meteredThrough: T0 + 2 * HOUR });
    // 18,667 µ$ + 119 × 37,333 µ$: every minute once.
    expect(await totals()).toEqual({
      rows: '120',
      minutes: '120',
      ledger: '4.461294',
      hourly: '4.461294',
      actual: '4.461294',
      deployments: '4.461294',
      through: new Date(T0 + 2 * HOUR),
    });
    expect(await service.app.get(MeterService).tick()).toMatchObject({ rows: 0 });

    // Metering the same minutes again (a watermark set back) inserts nothing, so the rollup and actual_cost stay.
    await pg.query(`UPDATE meter_state SET metered_through = $1`, [new Date(T0)]);
    expect(await service.app.get(MeterService).tick()).toMatchObject({ chunks: 2, rows: 0, meteredThrough: T0 + 2 * HOUR });
    expect(await totals()).toMatchObject({
      rows: '120',
      ledger: '4.461294',
      hourly: '4.461294',
      actual: '4.461294',
      deployments: '4.461294',
    });
  });
});
