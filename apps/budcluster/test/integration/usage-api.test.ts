import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { errorBodySchema, invoiceResponseSchema, usageResponseSchema } from '@bud/contracts';
import type { InvoiceResponse, UsageResponse } from '@bud/contracts';
import { ManualClock, expectValidation } from '@bud/testing';
import { sumsOf, toQuantities } from '../../src/domain/usage/usage-quantities';
import { startHarness } from '../support/harness';
import type { Caller, Harness } from '../support/harness';
import { ledgerSums, setMeteredThrough, writeHeldMinutes } from './usage-fixtures';

/**
 * docs/design.md#usage and #invoices through the HTTP API, on ledger and rollup rows written here as the meter writes
 * them (the meter is not the subject; METER_ENABLED=false and a manual clock keep it still). Every answer is checked
 * against its contract; the sums are checked against hand-computed figures and against the ledger read minute by
 * minute (no rollup), so the hourly/edge split must be exact.
 */
describe('usage and invoices API', () => {
  const NOW = Date.parse('2026-11-20T12:34:56Z');
  const A100 = { gpu: '2.500000', vcpu: '0.040000', memory: '0.005000' };
  const A100_RAISED = { ...A100, gpu: '3.000000' };
  let h: Harness;
  let db: Client;
  let deploymentId: string;
  let projectId: string;
  let trainer: string;
  let helper: string;
  let clusterId: string;

  const usage = (query: string, caller?: Caller | null) =>
    h.http<UsageResponse>('GET', `/api/v1/usage?${query}`, { schema: usageResponseSchema, caller });
  const invoice = (period: string, query = '', caller?: Caller | null) =>
    h.http<InvoiceResponse>('GET', `/api/v1/invoices/${period}${query}`, { schema: invoiceResponseSchema, caller });

  beforeAll(async () => {
    h = await startHarness({ METER_ENABLED: 'false' }, { clock: new ManualClock(NOW) });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
    clusterId = h.localClusterId;
    deploymentId = randomUUID();
    projectId = randomUUID();
    const tenantId = h.tenantA.tenantId;
    // trainer: 2 × A100, 1 vCPU, 1 GiB, 10:30–13:15 on Nov 1; the GPU price rises from 2.50 to 3.00 at 12:00.
    // Per minute: 0.0840833… → 0.084083 (90 minutes), then exactly 0.100750 (75 minutes): 7.567470 + 7.556250.
    trainer = randomUUID();
    const trainerShape = { jobId: trainer, jobName: 'trainer', tenantId, projectId, deploymentId, clusterId };
    const gpus = { gpuType: 'A100-80GB', gpus: 2, millicores: 1000, bytes: 2 ** 30 };
    await writeHeldMinutes(db, { ...trainerShape, ...gpus, from: '2026-11-01T10:30:00Z', to: '2026-11-01T12:00:00Z', prices: A100 });
    await writeHeldMinutes(db, { ...trainerShape, ...gpus, from: '2026-11-01T12:00:00Z', to: '2026-11-01T13:15:00Z', prices: A100_RAISED });
    // helper: no GPU, 500 m, 512 MiB, outside any deployment: exactly 0.000375 a minute, across the month boundary.
    helper = randomUUID();
    const helperShape = { jobId: helper, jobName: 'helper', tenantId, clusterId, millicores: 500, bytes: 2 ** 29, prices: A100 };
    await writeHeldMinutes(db, { ...helperShape, from: '2026-10-31T23:50:00Z', to: '2026-11-01T00:10:00Z' });
    await writeHeldMinutes(db, { ...helperShape, from: '2026-11-01T11:00:00Z', to: '2026-11-01T11:45:00Z' });
    // Another tenant at the same minutes: never in tenant A's answers.
    await writeHeldMinutes(db, {
      tenantId: h.tenantB.tenantId,
      clusterId,
      gpuType: 'H100-80GB',
      gpus: 8,
      from: '2026-11-01T09:00:00Z',
      to: '2026-11-02T09:00:00Z',
      prices: { gpu: '4.000000', vcpu: '0', memory: '0' },
    });
    await setMeteredThrough(db, '2026-11-20T12:30:00Z');
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await h?.stop();
  });

  describe('usage', () => {
    it('sums a ragged range exactly: partial hours from the ledger, whole ones from the rollup', async () => {
      const answer = await usage('from=2026-11-01T10:47:30Z&to=2026-11-01T12:13:00Z&by=job');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        tenant_id: h.tenantA.tenantId,
        from: '2026-11-01T10:47:00.000Z',
        to: '2026-11-01T12:13:00.000Z',
      });
      const trainerRow = answer.body.items.find((item) => item.key === trainer);
      // 86 minutes × 2 GPUs; 73 minutes at 0.084083 + 13 at 0.100750.
      expect(trainerRow).toEqual({
        period_start: '2026-11-01T00:00:00.000Z',
        key: trainer,
        gpu_hours: '2.866667',
        vcpu_hours: '1.433333',
        memory_gib_hours: '1.433333',
        cost: '7.447809',
      });
      const helperRow = answer.body.items.find((item) => item.key === helper);
      expect(helperRow).toMatchObject({ gpu_hours: '0.000000', vcpu_hours: '0.375000', memory_gib_hours: '0.375000', cost: '0.016875' });
      expect(answer.body.total.cost).toBe('7.464684');
    });

    it.each([
      ['day', 'deployment', 'deployment_id::text'],
      ['day', 'project', 'project_id::text'],
      ['hour', 'gpu_type', "NULLIF(gpu_type, '')"],
      ['month', 'job', 'job_id::text'],
      ['day', 'cluster', 'cluster_id::text'],
      ['hour', undefined, undefined],
    ] as const)('by %s and %s equals the ledger read minute by minute', async (groupBy, by, key) => {
      const from = '2026-10-31T23:53:00Z';
      const to = '2026-11-01T12:41:00Z';
      const answer = await usage(`from=${from}&to=${to}&group_by=${groupBy}${by ? `&by=${by}` : ''}`);
      expect(answer.status).toBe(200);
      const oracle = await ledgerSums(db, { tenantId: h.tenantA.tenantId, from, to, unit: groupBy, key });
      expect(answer.body.items).toEqual(
        oracle.map((row) => ({ period_start: row.period_start, key: row.key, ...toQuantities(sumsOf(row)) })),
      );
      expect(answer.body.items.length).toBeGreaterThan(1);
    });

    it('a 30-day by-day query has one row a day with usage, and the month total of the ledger', async () => {
      const answer = await usage('from=2026-10-25T00:00:00Z&to=2026-11-24T00:00:00Z');
      expect(answer.status).toBe(200);
      expect(answer.body.items.map((item) => [item.period_start, item.cost])).toEqual([
        ['2026-10-31T00:00:00.000Z', '0.003750'],
        ['2026-11-01T00:00:00.000Z', '15.144345'],
      ]);
      expect(answer.body.total.cost).toBe('15.148095');
    });

    it.each([
      ['deployment_id', () => deploymentId, '15.123720'],
      ['project_id', () => projectId, '15.123720'],
      ['job_id', () => helper, '0.024375'],
      ['gpu_type', () => 'A100-80GB', '15.123720'],
      ['gpu_type', () => 'H100-80GB', '0.000000'],
      ['cluster_id', () => randomUUID(), '0.000000'],
    ])('narrows to %s', async (name, value, cost) => {
      const answer = await usage(`from=2026-10-01T00:00:00Z&to=2026-11-20T00:00:00Z&${name}=${value()}`);
      expect(answer.status).toBe(200);
      expect(answer.body.total.cost).toBe(cost);
    });

    it('defaults to now (the injected clock) rounded down to the minute', async () => {
      const answer = await usage('from=2026-11-01T00:00:00Z');
      expect(answer.body.to).toBe('2026-11-20T12:34:00.000Z');
    });

    it('platform:admin sees every tenant by default, or the one it names; a tenant may name itself', async () => {
      const all = await usage('from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&by=gpu_type', h.admin);
      expect(all.body.tenant_id).toBeNull();
      expect(all.body.items.map((item) => item.key)).toEqual([null, 'A100-80GB', 'H100-80GB']);
      const b = await usage(`from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&tenant_id=${h.tenantB.tenantId}`, h.admin);
      // 8 GPUs for 15 hours of Nov 1 at $4: each minute costs 0.5333… → 0.533333, so 900 minutes are $479.999700, not
      // $480: the ledger rounds once per row and every sum is of the rounded rows.
      expect(b.body).toMatchObject({ tenant_id: h.tenantB.tenantId, total: { gpu_hours: '120.000000', cost: '479.999700' } });
      const own = await usage(`from=2026-11-01T00:00:00Z&tenant_id=${h.tenantA.tenantId.toUpperCase()}`);
      expect(own.status).toBe(200);
      expect(own.body.total.cost).toBe('15.144345');
    });

    it("another tenant's id is a 404 naming tenant_id to a non-admin, whether or not it exists", async () => {
      for (const tenant of [h.tenantB.tenantId, randomUUID()]) {
        const answer = await usage(`from=2026-11-01T00:00:00Z&tenant_id=${tenant}`);
        expect(answer.status).toBe(404);
        expect(answer.body).toMatchObject({ error: 'not_found', details: [{ path: 'query.tenant_id' }] });
      }
    });

    it('needs billing:view', async () => {
      const viewer = await h.caller(['job:view', 'usecase:view'], h.tenantA.tenantId);
      expect((await usage('from=2026-11-01T00:00:00Z', viewer)).status).toBe(403);
      expect((await usage('from=2026-11-01T00:00:00Z', null)).status).toBe(401);
      const billing = await h.caller(['billing:view'], h.tenantA.tenantId);
      expect((await usage('from=2026-11-01T00:00:00Z', billing)).body.total.cost).toBe('15.144345');
    });
  });

  describe('invoices', () => {
    it("lists a tenant's month per deployment and job, one line per set of unit prices, totalling the ledger exactly", async () => {
      const answer = await invoice('2026-11');
      expect(answer.status).toBe(200);
      const body = answer.body;
      expect(body).toMatchObject({
        tenant_id: h.tenantA.tenantId,
        period: '2026-11',
        status: 'open',
        metered_through: '2026-11-20T12:30:00.000Z',
        total: '15.144345',
        total_due: '15.14',
      });
      expect(body.deployments.map((d) => [d.deployment_id, d.amount, d.lines.length])).toEqual([
        [deploymentId, '15.123720', 2],
        [null, '0.020625', 1],
      ]);
      expect(body.deployments[0].lines).toEqual([
        {
          job_id: trainer,
          job_name: 'trainer',
          cluster_id: clusterId,
          project_id: projectId,
          gpu_type: 'A100-80GB',
          quantities: { gpu_hours: '3.000000', vcpu_hours: '1.500000', memory_gib_hours: '1.500000' },
          unit_prices: { gpu_hour: '2.500000', vcpu_hour: '0.040000', memory_gib_hour: '0.005000' },
          amount: '7.567470',
        },
        expect.objectContaining({ unit_prices: expect.objectContaining({ gpu_hour: '3.000000' }), amount: '7.556250' }),
      ]);
      expect(body.deployments[1].lines[0]).toMatchObject({ job_name: 'helper', gpu_type: null, amount: '0.020625' });
      const ledger = await db.query<{ total: string }>(
        `SELECT sum(cost)::text AS total FROM usage_ledger WHERE tenant_id = $1 AND minute >= '2026-11-01' AND minute < '2026-12-01'`,
        [h.tenantA.tenantId],
      );
      const micros = (text: string) => BigInt(text.replace('.', ''));
      const lines = body.deployments.flatMap((d) => d.lines).reduce((sum, line) => sum + micros(line.amount), 0n);
      expect(lines).toBe(micros(body.total));
      expect(micros(ledger.rows[0].total)).toBe(micros(body.total));
    });

    it('a month the meter has passed is closed; a month without usage is empty', async () => {
      const october = await invoice('2026-10');
      expect(october.body).toMatchObject({ status: 'closed', total: '0.003750', total_due: '0.00' });
      const empty = await invoice('2025-01');
      expect(empty.body).toMatchObject({ status: 'closed', deployments: [], total: '0.000000', total_due: '0.00' });
      const future = await invoice('2027-01');
      expect(future.body).toMatchObject({ status: 'open', deployments: [] });
    });

    it('platform:admin reads the tenant it names (its own without one); a tenant reading another gets a 404', async () => {
      const b = await invoice('2026-11', `?tenant_id=${h.tenantB.tenantId}`, h.admin);
      // 1440 minutes at 0.533333.
      expect(b.body).toMatchObject({ tenant_id: h.tenantB.tenantId, total: '767.999520', total_due: '768.00' });
      expect((await invoice('2026-11', '', h.admin)).body).toMatchObject({ tenant_id: h.admin.tenantId, deployments: [] });
      const refused = await invoice('2026-11', `?tenant_id=${h.tenantB.tenantId}`);
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ details: [{ path: 'query.tenant_id' }] });
    });

    it.each([
      ['format=csv', '?format=csv', {}],
      ['Accept: text/csv', '', { accept: 'text/csv' }],
    ])('answers CSV for %s: a header, a row per line, a total row equal to the JSON', async (_, query, headers) => {
      const response = await fetch(`${h.service.url}/api/v1/invoices/2026-11${query}`, {
        headers: { authorization: `Bearer ${h.tenantA.token}`, ...headers },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="invoice-2026-11.csv"');
      const rows = (await response.text())
        .trimEnd()
        .split('\r\n')
        .map((row) => row.split(','));
      expect(rows[0]).toEqual(expect.arrayContaining(['deployment_id', 'job_id', 'gpu_hours', 'gpu_hour_price', 'amount']));
      expect(rows).toHaveLength(1 + 3 + 1);
      const amount = rows[0].indexOf('amount');
      expect(rows.slice(1, 4).map((row) => [row[0], row[2], row[amount]])).toEqual([
        [deploymentId, 'trainer', '7.567470'],
        [deploymentId, 'trainer', '7.556250'],
        ['', 'helper', '0.020625'],
      ]);
      expect([rows[4][0], rows[4][amount]]).toEqual(['total', '15.144345']);
    });

    it.each([
      ['text/csv refused with q=0', 'application/json, text/csv;q=0'],
      ['JSON preferred by q', 'text/csv;q=0.5, application/json'],
      ['a tie', 'text/csv, application/json'],
    ])('answers JSON for Accept with %s (%s)', async (_, accept) => {
      const response = await fetch(`${h.service.url}/api/v1/invoices/2026-11`, {
        headers: { authorization: `Bearer ${h.tenantA.token}`, accept },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ period: '2026-11', total: '15.144345' });
    });
  });

  describe('bad input answers 4xx naming the parameter, never a 500', () => {
    it.each([
      ['a missing from', '/api/v1/usage', 'query.from'],
      ['a reversed range', '/api/v1/usage?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'query.to'],
      ['an empty range', '/api/v1/usage?from=2026-11-02T00:00:00Z&to=2026-11-02T00:00:30Z', 'query.to'],
      ['a from in the future (to defaults to now)', '/api/v1/usage?from=2027-01-01T00:00:00Z', 'query.to'],
      ['a range over 366 days', '/api/v1/usage?from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z', 'query.from'],
      ['an unknown group_by', '/api/v1/usage?from=2026-11-01T00:00:00Z&group_by=week', 'query.group_by'],
      ['an unknown by', '/api/v1/usage?from=2026-11-01T00:00:00Z&by=namespace', 'query.by'],
      ['a from that is not a timestamp', '/api/v1/usage?from=yesterday', 'query.from'],
      ['a date without a time', '/api/v1/usage?from=2026-11-01', 'query.from'],
      ['a tenant_id that is not a UUID', '/api/v1/usage?from=2026-11-01T00:00:00Z&tenant_id=acme', 'query.tenant_id'],
      ['a gpu_type that is not a product name', '/api/v1/usage?from=2026-11-01T00:00:00Z&gpu_type=%27%3B--', 'query.gpu_type'],
      ['an unknown parameter', '/api/v1/usage?from=2026-11-01T00:00:00Z&since=30d', 'query.since'],
      ['a repeated from', '/api/v1/usage?from=2026-11-01T00:00:00Z&from=2026-11-02T00:00:00Z', 'query.from'],
      ['a period with one digit of month', '/api/v1/invoices/2026-1', 'period'],
      ['month 13', '/api/v1/invoices/2026-13', 'period'],
      ['month 00', '/api/v1/invoices/2026-00', 'period'],
      ['a period that is a date', '/api/v1/invoices/2026-11-01', 'period'],
      ['a named month', '/api/v1/invoices/november', 'period'],
      ['a period in the year 26 (not 1926)', '/api/v1/invoices/0026-11', 'period'],
      ['a period before 1970', '/api/v1/invoices/1969-12', 'period'],
      ['a from in the year 26', '/api/v1/usage?from=0026-11-01T00:00:00Z&to=0026-11-02T00:00:00Z', 'query.from'],
      ['an unknown format', '/api/v1/invoices/2026-11?format=xml', 'query.format'],
      ['an invoice tenant_id that is not a UUID', '/api/v1/invoices/2026-11?tenant_id=x', 'query.tenant_id'],
    ])('%s', async (_, path, named) => {
      const answer = await h.http('GET', path);
      expect(errorBodySchema.safeParse(answer.body).success).toBe(true);
      expectValidation(answer, named);
    });

    it('a query whose answer would be too large is refused naming group_by, not truncated', async () => {
      const many = await h.caller(['billing:view'], randomUUID());
      // 400 jobs × 30 days by job and day = 12,000 rows > 10,000.
      await db.query(
        `INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, tenant_id,
                                   project_id, deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
         SELECT '2026-09-01'::timestamptz + d * interval '1 day', ('00000000-0000-4000-8000-' || lpad(j::text, 12, '0'))::uuid,
                '', 0, 0, 0, $1, NULL, NULL, $2, 'many', 0, 60000, 0, 0
         FROM generate_series(0, 29) AS d, generate_series(1, 400) AS j`,
        [many.tenantId, clusterId],
      );
      const refused = await usage('from=2026-09-01T00:00:00Z&to=2026-10-01T00:00:00Z&by=job', many);
      expectValidation(refused, 'query.group_by');
      const byMonth = await usage('from=2026-09-01T00:00:00Z&to=2026-10-01T00:00:00Z&by=job&group_by=month', many);
      expect(byMonth.status).toBe(200);
      expect(byMonth.body.items).toHaveLength(400);
    });
  });
});
