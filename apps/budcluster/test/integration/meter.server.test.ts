import { Client } from 'pg';
import { ManualClock, pollUntil } from '@bud/testing';
import { startBudcluster } from '../../src/budcluster.app';
import type { RunningBudcluster } from '../../src/budcluster.app';
import { loadBudclusterConfig } from '../../src/config/budcluster.config';
import { MeterService } from '../../src/services/meter.service';
import { containerJob, startHarness, testBudclusterEnv } from '../support/harness';
import type { Harness } from '../support/harness';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** 1 A100 at $2/h, 4 vCPU at $0.04/h, 16 GiB at $0.005/h: 37,333 µ$ a full minute. */
const PRICES = { gpu_hour: { A100: 2 }, vcpu_hour: 0.04, memory_gib_hour: 0.005 };

/**
 * docs/design.md#metering on a PostgreSQL server: the meter creates each month's ledger partition before it writes
 * there (a job running across midnight at a month's end lands in both), and two replicas ticking at once meter every
 * minute once (the advisory lock lets one meter; the other skips or finds nothing left).
 */
describe('the meter on PostgreSQL', () => {
  let h: Harness;
  let second: RunningBudcluster;
  let clock: ManualClock;
  let pg: Client;
  const now = new Date();
  /** The start of next month (UTC). */
  const M = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const partition = (ms: number) => {
    const d = new Date(ms);
    return `usage_ledger_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  };

  beforeAll(async () => {
    clock = new ManualClock(M - 150_000);
    h = await startHarness({ METER_ENABLED: 'false' }, { clock });
    second = await startBudcluster(
      loadBudclusterConfig({ PORT: '0', ...testBudclusterEnv(h.db, h.subscriber.url), METER_ENABLED: 'false' }),
      { clock },
    );
    pg = new Client({ connectionString: h.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await second.stop();
    await h.stop();
  });

  it('writes a job running across a month boundary into both months’ partitions, every minute once, with two replicas', async () => {
    const cluster = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: {
        name: 'month-end',
        type: 'simulated',
        price_table: PRICES,
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, gpu_capacity: { A100: 8 } },
      },
    });
    expect(cluster.status).toBe(201);
    await clock.advance(30_000); // M − 2 min
    const job = await h.http<{ id: string }>('POST', `/api/v1/clusters/${cluster.body.id}/jobs`, {
      body: containerJob({ resources: { gpu_type: 'A100', gpu_count: 1, cpu_request: '4', memory_request: '16Gi' } }),
    });
    expect(job.status).toBe(201);
    await pollUntil(
      async () => {
        await clock.advance(0);
        return (await h.http<{ status: string }>('GET', `/api/v1/clusters/${cluster.body.id}/jobs/${job.body.id}`)).body.status;
      },
      (status) => status === 'running',
      { what: 'job running' },
    );

    // Three hours later both replicas catch up at once.
    await clock.advance(3 * HOUR + 2 * MINUTE + 10_000);
    const reports = await Promise.all([h.service.app.get(MeterService).tick(), second.app.get(MeterService).tick()]);
    expect(reports.reduce((sum, report) => sum + report.rows, 0)).toBe(3 * 60 + 2);
    // One replica metered; the other found the lock taken (or, had it come later, nothing left).
    expect(reports.filter((report) => report.rows > 0)).toHaveLength(1);
    expect(await second.app.get(MeterService).tick()).toMatchObject({ rows: 0, meteredThrough: M + 3 * HOUR });

    const { rows } = await pg.query<{ part: string; n: string; first: Date; last: Date }>(
      `SELECT tableoid::regclass::text AS part, count(*) AS n, min(minute) AS first, max(minute) AS last
         FROM usage_ledger GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { part: partition(M - MINUTE), n: '2', first: new Date(M - 2 * MINUTE), last: new Date(M - MINUTE) },
      { part: partition(M), n: String(3 * 60), first: new Date(M), last: new Date(M + 3 * HOUR - MINUTE) },
    ]);
    const totals = await pg.query<{ ledger: string; hourly: string; actual: string; distinct_minutes: string }>(
      `SELECT (SELECT sum(cost) FROM usage_ledger) AS ledger, (SELECT sum(cost) FROM usage_hourly) AS hourly,
              (SELECT actual_cost FROM jobs WHERE id = $1) AS actual, (SELECT count(DISTINCT minute) FROM usage_ledger) AS distinct_minutes`,
      [job.body.id],
    );
    // 182 full minutes at 37,333 µ$ (the job started on a whole minute).
    expect(totals.rows[0]).toEqual({ ledger: '6.794606', hourly: '6.794606', actual: '6.794606', distinct_minutes: '182' });
    // No default partition: a month is only ever written after its partition exists.
    const defaults = await pg.query(`SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partdefid`);
    expect(defaults.rows).toEqual([]);
  });
});
