import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { signToken } from '@bud/auth';
import type { JobResources, PriceTable } from '@bud/contracts';
import { ServiceProcess, TestEventSubscriber, createTestDatabase, freePort, pollUntil } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';
import { meterMinutes } from '../../src/domain/metering/meter-minutes';
import type { PriceBookEntryAt } from '../../src/domain/metering/meter-minutes';
import { crashPoints } from '../../src/services/crash-points';
import { JWT_SECRET, containerJob, testBudclusterEnv } from '../support/harness';

/**
 * docs/design.md#metering: budcluster is SIGKILLed at each of the meter's named steps in turn (a restart with the next
 * CRASH_AT meets the same unmetered minutes at once), then runs clean. The ledger it ends with is exactly what the
 * pure meter step makes of the segments the jobs left — every minute once, no gap, no double count — and the rollup
 * and actual_cost equal it.
 */
describe('the meter killed at each named step', () => {
  let db: TestDatabase;
  let subscriber: TestEventSubscriber;
  let sql: Client;
  let service: ServiceProcess | undefined;
  let port: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    subscriber = new TestEventSubscriber(['job-events']);
    await subscriber.start();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    port = await freePort();
  });
  afterAll(async () => {
    await service?.stop();
    await sql.end();
    await subscriber.stop();
    await db.drop();
  });

  const start = async (env: Record<string, string>) => {
    service = new ServiceProcess(
      'dist/apps/budcluster/src/main.js',
      { ...testBudclusterEnv(db, subscriber.url), METER_TICK_MS: '200', METER_LATENESS_MS: '1000', ...env },
      port,
    );
    await service.start();
    return service;
  };

  it('ends with every held minute metered exactly once', async () => {
    let running = await start({ CRASH_AT: `${crashPoints[0]}:1:kill` });
    const token = await signToken(JWT_SECRET, { sub: randomUUID(), tenant_id: randomUUID(), scopes: ['job:manage', 'job:view'] });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const clusters = (await (await fetch(`${running.url}/api/v1/clusters`, { headers })).json()) as {
      items: Array<{ id: string; name: string }>;
    };
    const local = clusters.items.find((c) => c.name === 'local')!;
    for (let i = 0; i < 3; i++) {
      const answer = await fetch(`${running.url}/api/v1/clusters/${local.id}/jobs`, {
        method: 'POST',
        headers,
        body: JSON.stringify(containerJob()),
      });
      expect(answer.status).toBe(201);
    }

    // The first tick after the next minute boundary dies at the first step; each restart dies at the next one, at its
    // first tick (it may die before it answers /readyz: only its death is awaited).
    for (const [i, point] of crashPoints.entries()) {
      if (i > 0) {
        running = new ServiceProcess(
          'dist/apps/budcluster/src/main.js',
          { ...testBudclusterEnv(db, subscriber.url), METER_TICK_MS: '200', METER_LATENESS_MS: '1000', CRASH_AT: `${point}:1:kill` },
          port,
        );
        service = running;
        void running.start(5_000).catch(() => undefined);
      }
      const current = running;
      await pollUntil(
        () => current.exited,
        (exited) => exited,
        { what: `killed at ${point}`, timeoutMs: 90_000, intervalMs: 100 },
      );
      expect(current.output.join('')).toContain(`crash point ${point} reached`);
      const { rows } = await sql.query(
        `SELECT (SELECT count(*)::int FROM usage_ledger) AS ledger, (SELECT count(*)::int FROM meter_state) AS state`,
      );
      expect(rows[0]).toEqual({ ledger: 0, state: 0 });
    }

    running = await start({});
    await pollUntil(
      async () => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM meter_state`)).rows[0]?.n,
      (n) => n === 1,
      { what: 'metered after the restart', timeoutMs: 30_000 },
    );
    await running.stop();

    const state = (await sql.query<{ through: Date }>(`SELECT metered_through AS through FROM meter_state`)).rows[0];
    const segments = (
      await sql.query<{
        job_id: string;
        tenant_id: string;
        project_id: string | null;
        deployment_id: string | null;
        cluster_id: string;
        job_name: string;
        resources: JobResources;
        started_at: Date;
        ended_at: Date | null;
      }>(`SELECT * FROM meter_segments`)
    ).rows.map((row) => ({
      jobId: row.job_id,
      tenantId: row.tenant_id,
      projectId: row.project_id,
      deploymentId: row.deployment_id,
      clusterId: row.cluster_id,
      jobName: row.job_name,
      resources: row.resources,
      startedAt: row.started_at.getTime(),
      endedAt: row.ended_at?.getTime() ?? null,
    }));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const books = new Map<string, PriceBookEntryAt[]>();
    for (const row of (await sql.query<{ cluster_id: string; effective_from: Date; prices: PriceTable }>(`SELECT * FROM price_book`)).rows)
      books.set(row.cluster_id, [
        ...(books.get(row.cluster_id) ?? []),
        { effectiveFrom: row.effective_from.getTime(), prices: row.prices },
      ]);
    const from = Math.floor(Math.min(...segments.map((s) => s.startedAt)) / 60_000) * 60_000;
    const expected = meterMinutes(segments, books, from, state.through.getTime())
      .rows.map(
        (row) => `${row.minute}|${row.jobId}|${row.gpuType}|${row.gpuMs}|${row.cpuMillicoreMs}|${row.memoryByteMs}|${row.costMicros}`,
      )
      .sort();
    const ledger = (
      await sql.query<{ minute: Date; job_id: string; gpu_type: string; gpu_ms: string; cpu: string; mem: string; micros: string }>(
        `SELECT minute, job_id, gpu_type, gpu_ms, cpu_millicore_ms AS cpu, memory_byte_ms AS mem, (cost * 1000000)::bigint::text AS micros FROM usage_ledger`,
      )
    ).rows
      .map((row) => `${row.minute.getTime()}|${row.job_id}|${row.gpu_type}|${row.gpu_ms}|${row.cpu}|${row.mem}|${row.micros}`)
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(ledger).toEqual(expected);

    const { rows } = await sql.query(
      `SELECT (SELECT sum(cost) FROM usage_ledger)::text AS ledger, (SELECT sum(cost) FROM usage_hourly)::text AS hourly,
              (SELECT sum(actual_cost) FROM jobs)::text AS actual`,
    );
    expect(rows[0].hourly).toBe(rows[0].ledger);
    expect(rows[0].actual).toBe(rows[0].ledger);
  }, 180_000);
});
