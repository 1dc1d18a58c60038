import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { invoiceResponseSchema, usageResponseSchema } from '@bud/contracts';
import type { InvoiceResponse, UsageResponse } from '@bud/contracts';
import { ManualClock, callApi, newCaller } from '@bud/testing';
import { sumsOf, toQuantities } from '../../src/domain/usage/usage-quantities';
import { JWT_SECRET, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { ledgerSums, setMeteredThrough, writeHeldMinutes } from './usage-fixtures';

/**
 * docs/design.md#usage and #invoices on a PostgreSQL server (`*.server.test.ts`: TEST_DATABASE_URL only): the ledger's
 * monthly partitions, a query across a month boundary, and an invoice read on its own connections while ledger and
 * rollup rows commit beside it (its lines and total come from one snapshot, so they always agree).
 */
describe('usage and invoices on PostgreSQL', () => {
  const NOW = Date.parse('2026-11-20T12:34:56Z');
  let h: Harness;
  let pool: Pool;

  beforeAll(async () => {
    if (!process.env.TEST_DATABASE_URL) throw new Error('usage on PostgreSQL needs a server: set TEST_DATABASE_URL');
    h = await startHarness({ METER_ENABLED: 'false' }, { clock: new ManualClock(NOW) });
    pool = new Pool({ connectionString: h.db.url, max: 4 });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await h?.stop();
  });

  it('writes each month to its own partition, and a by-day query across the boundary equals the ledger', async () => {
    const tenantId = randomUUID();
    const clusterId = randomUUID();
    const shape = {
      tenantId,
      clusterId,
      gpuType: 'A100-80GB',
      millicores: 1500,
      bytes: 3 * 2 ** 30,
      prices: { gpu: '2.500000', vcpu: '0.040000', memory: '0.005000' },
    };
    const jobs = [randomUUID(), randomUUID()];
    await writeHeldMinutes(pool, { ...shape, jobId: jobs[0], gpus: 1, from: '2026-10-30T05:00:00Z', to: '2026-11-01T03:00:00Z' });
    await writeHeldMinutes(pool, {
      ...shape,
      jobId: jobs[1],
      gpus: 3,
      replicas: 2,
      heldMs: 41_000,
      from: '2026-10-31T22:11:00Z',
      to: '2026-11-01T00:49:00Z',
    });
    const partitions = await pool.query<{ name: string; rows: string }>(
      `SELECT c.relname AS name, (SELECT count(*) FROM usage_ledger l WHERE l.tableoid = c.oid AND l.tenant_id = $1)::text AS rows
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_ledger'::regclass ORDER BY 1`,
      [tenantId],
    );
    // Oct 30 05:00 → Nov 1 00:00 is 2580 minutes, plus 109 of the second job; Nov 1 00:00 → 03:00 is 180, plus 49.
    expect(partitions.rows).toEqual([
      { name: 'usage_ledger_2026_10', rows: String(2580 + 109) },
      { name: 'usage_ledger_2026_11', rows: String(180 + 49) },
    ]);

    const caller = await newCaller(JWT_SECRET, ['billing:view'], tenantId);
    const from = '2026-10-30T05:17:00Z';
    const to = '2026-11-01T01:23:00Z';
    const answer = await callApi<UsageResponse>(h.service.url, caller, 'GET', `/api/v1/usage?from=${from}&to=${to}&by=job`, {
      schema: usageResponseSchema,
    });
    expect(answer.status).toBe(200);
    const oracle = await ledgerSums(pool, { tenantId, from, to, unit: 'day', key: 'job_id::text' });
    expect(answer.body.items).toEqual(
      oracle.map((row) => ({ period_start: row.period_start, key: row.key, ...toQuantities(sumsOf(row)) })),
    );
    expect(answer.body.items.map((item) => item.period_start)).toEqual([
      '2026-10-30T00:00:00.000Z',
      '2026-10-31T00:00:00.000Z',
      '2026-10-31T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
    ]);
  });

  it("an invoice's total reads only its month's partition", async () => {
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT COALESCE(sum(cost), 0) FROM usage_ledger
       WHERE tenant_id = '${randomUUID()}' AND minute >= '2026-11-01T00:00:00Z' AND minute < '2026-12-01T00:00:00Z'`,
    );
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain('usage_ledger_2026_11');
    expect(text).not.toContain('usage_ledger_2026_10');
  });

  it('an invoice read while ledger rows commit beside it always has lines that sum to its total', async () => {
    const tenantId = randomUUID();
    const caller = await newCaller(JWT_SECRET, ['billing:view'], tenantId);
    const clusterId = randomUUID();
    const jobs = Array.from({ length: 4 }, () => randomUUID());
    await setMeteredThrough(pool, '2026-11-20T00:00:00Z');
    let writing = true;
    // The meter's work: minute after minute, each job's ledger row and its rollup in one statement, on its own connection.
    const writer = (async () => {
      const start = Date.parse('2026-11-03T00:00:00Z');
      for (let minute = 0; minute < 120; minute++) {
        const from = new Date(start + minute * 60_000).toISOString();
        const to = new Date(start + (minute + 1) * 60_000).toISOString();
        await Promise.all(
          jobs.map((jobId, i) =>
            writeHeldMinutes(pool, {
              jobId,
              tenantId,
              clusterId,
              gpuType: 'L4',
              gpus: i + 1,
              millicores: 250,
              bytes: 2 ** 28,
              from,
              to,
              prices: { gpu: '0.700000', vcpu: '0.031000', memory: '0.004100' },
            }),
          ),
        );
      }
      writing = false;
    })();
    const micros = (text: string) => BigInt(text.replace('.', ''));
    const seen = new Set<string>();
    let reads = 0;
    while (writing) {
      const answer = await callApi<InvoiceResponse>(h.service.url, caller, 'GET', '/api/v1/invoices/2026-11', {
        schema: invoiceResponseSchema,
      });
      expect(answer.status).toBe(200);
      const lines = answer.body.deployments.flatMap((d) => d.lines).reduce((sum, line) => sum + micros(line.amount), 0n);
      expect(String(lines)).toBe(String(micros(answer.body.total)));
      seen.add(answer.body.total);
      reads++;
    }
    await writer;
    // Reads overlapped the writes: they saw the total grow.
    expect(reads).toBeGreaterThan(3);
    expect(seen.size).toBeGreaterThan(2);
    const final = await callApi<InvoiceResponse>(h.service.url, caller, 'GET', '/api/v1/invoices/2026-11');
    const ledger = await pool.query<{ total: string }>(`SELECT sum(cost)::text AS total FROM usage_ledger WHERE tenant_id = $1`, [
      tenantId,
    ]);
    expect(final.body.total).toBe(ledger.rows[0].total);
  }, 120_000);
});
