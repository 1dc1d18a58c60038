import type { BudgetResponse, InvoiceResponse, UsageResponse } from '@bud/contracts';
import { budgetResponseSchema, invoiceResponseSchema, usageResponseSchema } from '@bud/contracts';
import { bud, fakeFetch, page } from '../../test/support/fake-cli';

// bud() runs at 2026-01-10T12:00:00Z.
const TENANT = '00000000-0000-4000-8000-000000000000';
const DEPLOYMENT = '33333333-3333-4333-8333-333333333333';
const GONE = '66666666-6666-4666-8666-666666666666';
const PROJECT = '77777777-7777-4777-8777-777777777777';
const quantities = (cost: string, gpu = '1.000000') => ({ gpu_hours: gpu, vcpu_hours: '2.000000', memory_gib_hours: '8.000000', cost });

const usage: UsageResponse = usageResponseSchema.parse({
  tenant_id: TENANT,
  from: '2025-12-11T12:00:00.000Z',
  to: '2026-01-10T12:00:00.000Z',
  group_by: 'day',
  by: 'deployment',
  currency: 'USD',
  items: [
    { period_start: '2026-01-09T00:00:00.000Z', key: DEPLOYMENT, ...quantities('4.500000') },
    { period_start: '2026-01-09T00:00:00.000Z', key: GONE, ...quantities('0.004500', '0.001000') },
  ],
  total: quantities('4.504500', '1.001000'),
});
const deployments = { 'GET /api/v1/deployments': () => page([{ id: DEPLOYMENT, name: 'rag' }]) };

describe('bud usage', () => {
  it('asks for the last 30 days by day and shows a row per day and deployment, names for the ones that still exist, and the total', async () => {
    const { fetchFn, calls } = fakeFetch({ 'GET /api/v1/usage': () => ({ status: 200, body: usage }), ...deployments });
    const result = await bud(['usage', '--by', 'deployment'], fetchFn);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const query = new URL(calls[0].url).searchParams;
    expect(Object.fromEntries(query)).toEqual({ from: '2025-12-11T12:00:00.000Z', group_by: 'day', by: 'deployment' });
    expect(result.stdout).toMatch(/^DAY\s+DEPLOYMENT\s+GPU-HOURS\s+VCPU-HOURS\s+GIB-HOURS\s+COST$/m);
    expect(result.stdout).toMatch(/^2026-01-09\s+rag\s+1\.000000\s+2\.000000\s+8\.000000\s+\$4\.50$/m);
    expect(result.stdout).toMatch(new RegExp(`^2026-01-09\\s+${GONE}\\s+0\\.001000\\s+.*\\$0\\.0045$`, 'm'));
    expect(result.stdout).toMatch(/^total\s+1\.001000\s+2\.000000\s+8\.000000\s+\$4\.5045$/m);
  });

  it.each([
    [['--by', 'gpu', '--since', '12h', '--group-by', 'hour'], { by: 'gpu_type', from: '2026-01-10T00:00:00.000Z', group_by: 'hour' }],
    [
      ['--from', '2026-01-01', '--to', '2026-01-02T00:00:00Z', '--project', PROJECT],
      { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z', project_id: PROJECT, group_by: 'day' },
    ],
  ])('passes %j to GET /usage as %j', async (flags, expected) => {
    const { fetchFn, calls } = fakeFetch({ 'GET /api/v1/usage': () => ({ status: 200, body: { ...usage, by: null, items: [] } }) });
    const result = await bud(['usage', ...flags], fetchFn);
    expect(result.code).toBe(0);
    expect(Object.fromEntries(new URL(calls[0].url).searchParams)).toEqual(expected);
    expect(result.stdout).toMatch(/nothing metered in this range/);
  });

  it('looks a deployment up by name and filters on its id', async () => {
    const { fetchFn, calls } = fakeFetch({ 'GET /api/v1/usage': () => ({ status: 200, body: usage }), ...deployments });
    expect((await bud(['usage', '--deployment', 'rag', '-o', 'json'], fetchFn)).code).toBe(0);
    expect(new URL(calls.at(-1)!.url).searchParams.get('deployment_id')).toBe(DEPLOYMENT);
  });

  it.each([
    [['--by', 'colour'], /--by must be deployment, project, gpu, cluster or job, got 'colour'/],
    [['--since', '30'], /--since must be a duration like 30d/],
    [['--since', '400d'], /--since must be at most 366d/],
    [['--since', '1d', '--from', '2026-01-01'], /give --since or --from, not both/],
    [['--from', 'yesterday'], /--from must be a date or time/],
    [['--group-by', 'week'], /--group-by must be hour, day, month, got 'week'/],
    [['--project', 'p1'], /--project must be a project id/],
  ])('refuses %j with exit 2 before calling anything', async (flags, message) => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['usage', ...flags], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(calls).toHaveLength(0);
  });

  it("shows budcluster's refusal, naming the parameter, with exit 1", async () => {
    const { fetchFn } = fakeFetch({
      'GET /api/v1/usage': () => ({
        status: 404,
        body: { status_code: 404, error: 'not_found', message: 'no such tenant', details: [{ path: 'tenant_id', message: 'not found' }] },
      }),
    });
    const result = await bud(['usage', '--tenant', DEPLOYMENT], fetchFn);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no such tenant/);
    expect(result.stderr).toMatch(/tenant_id/);
  });
});

const invoice: InvoiceResponse = invoiceResponseSchema.parse({
  tenant_id: TENANT,
  period: '2026-01',
  currency: 'USD',
  status: 'open',
  metered_through: '2026-01-10T11:59:00.000Z',
  deployments: [
    {
      deployment_id: DEPLOYMENT,
      amount: '4.500000',
      lines: [
        {
          job_id: GONE,
          job_name: 'rag-llm',
          cluster_id: PROJECT,
          project_id: null,
          gpu_type: 'H100-80GB',
          quantities: { gpu_hours: '1.000000', vcpu_hours: '2.000000', memory_gib_hours: '8.000000' },
          unit_prices: { gpu_hour: '4.000000', vcpu_hour: '0.050000', memory_gib_hour: '0.050000' },
          amount: '4.500000',
        },
      ],
    },
  ],
  total: '4.500000',
  total_due: '4.50',
});

describe('bud invoice', () => {
  it('shows a line per job and unit price, the amount per deployment, the total and what is due', async () => {
    const { fetchFn, calls } = fakeFetch({ 'GET /api/v1/invoices/2026-01': () => ({ status: 200, body: invoice }), ...deployments });
    const result = await bud(['invoice', '2026-01'], fetchFn);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(calls[0].url).toMatch(/\/api\/v1\/invoices\/2026-01$/);
    expect(result.stdout).toMatch(/Invoice 2026-01 for tenant .* \(open: metered through 2026-01-10T11:59:00.000Z, amounts still grow\)/);
    expect(result.stdout).toMatch(
      /^rag\s+rag-llm\s+H100-80GB\s+1\.000000\s+\$4\.00\s+2\.000000\s+\$0\.05\s+8\.000000\s+\$0\.05\s+\$4\.50$/m,
    );
    expect(result.stdout).toMatch(/^Total:\s+\$4\.50 USD$/m);
    expect(result.stdout).toMatch(/^Total due:\s+\$4\.50$/m);
  });

  it('prints the CSV budcluster renders with --csv', async () => {
    const csv = 'deployment_id,job_id,amount\n33333333,66666666,4.500000\ntotal,,4.500000\n';
    const calls: Array<{ url: string; accept?: string }> = [];
    const fetchFn = (async (url: string, init?: RequestInit) => {
      calls.push({ url, accept: (init?.headers as Record<string, string>).accept });
      return new Response(csv, { status: 200, headers: { 'content-type': 'text/csv' } });
    }) as typeof fetch;
    const result = await bud(['invoice', '2026-01', '--csv'], fetchFn);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(csv);
    expect(calls[0]).toEqual({ url: expect.stringMatching(/\/api\/v1\/invoices\/2026-01\?format=csv$/), accept: 'text/csv' });
  });

  it.each(['2026-13', '2026-1', 'november'])('refuses the period %s with exit 2', async (period) => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['invoice', period], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the period must be a month as YYYY-MM/);
    expect(calls).toHaveLength(0);
  });
});

const budget: BudgetResponse = budgetResponseSchema.parse({
  id: '55555555-5555-4555-8555-555555555555',
  tenant_id: TENANT,
  project_id: null,
  monthly_amount: '100.000000',
  thresholds: [80, 100],
  action: 'block_new',
  period: '2026-01',
  spent: '104.250000',
  remaining: '-4.250000',
  projected_month_end: '250.000000',
  used_ratio: 1.0425,
  crossed: [80, 100],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  version: 1,
});

describe('bud budgets', () => {
  it('lists budgets with spend, what remains (negative once over), the projection and the crossed thresholds', async () => {
    const { fetchFn } = fakeFetch({ 'GET /api/v1/budgets': () => page([budget]) });
    const result = await bud(['budgets', 'list'], fetchFn);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^55555555-5555-4555-8555-555555555555\s+tenant\s+2026-01\s+\$100\.00\s+\$104\.25\s+-\$4\.25\s+\$250\.00\s+104%\s+80%\* 100%\*\s+block new work$/m,
    );
    expect(result.stdout).toMatch(/\* crossed this month/);
  });

  it('reads a bare array as the list too', async () => {
    const { fetchFn } = fakeFetch({ 'GET /api/v1/budgets': () => ({ status: 200, body: [] }) });
    expect((await bud(['budgets', 'list'], fetchFn)).stdout).toMatch(/No budget/);
  });

  it("puts the flags as the API's request and shows what was saved", async () => {
    const { fetchFn, calls } = fakeFetch({ 'PUT /api/v1/budgets': () => ({ status: 200, body: { ...budget, project_id: PROJECT } }) });
    const result = await bud(
      ['budgets', 'set', '--project', PROJECT, '--amount', '1500.50', '--thresholds', '50,80,100', '--action', 'stop'],
      fetchFn,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(calls[0]).toMatchObject({
      method: 'PUT',
      body: { project_id: PROJECT, monthly_amount: '1500.50', thresholds: [50, 80, 100], action: 'stop' },
    });
    expect(result.stdout).toMatch(new RegExp(`project ${PROJECT}`));
  });

  it('sends the defaults for a tenant budget: 80 and 100 percent, notify', async () => {
    const { fetchFn, calls } = fakeFetch({ 'PUT /api/v1/budgets': () => ({ status: 200, body: budget }) });
    expect((await bud(['budgets', 'set', '--amount', '1000'], fetchFn)).code).toBe(0);
    expect(calls[0].body).toEqual({ project_id: null, monthly_amount: '1000', thresholds: [80, 100], action: 'notify' });
  });

  it.each([
    [['--amount', '10.123'], /--amount: must be a decimal amount of USD with at most two decimal places/],
    [['--amount', '10', '--thresholds', '80,x'], /--thresholds must be whole percentages/],
    [['--amount', '10', '--thresholds', '80,80'], /--thresholds: must not repeat a threshold/],
    [['--amount', '10', '--action', 'pause'], /--action: must be notify, block_new, stop, got 'pause'/],
    [['--amount', '10', '--project', 'p1'], /--project: .*got 'p1'/],
    [[], /--amount is required/],
  ])('refuses %j with exit 2 before calling anything', async (flags, message) => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['budgets', 'set', ...flags], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(calls).toHaveLength(0);
  });

  it('deletes a budget by id', async () => {
    const { fetchFn, calls } = fakeFetch({ [`DELETE /api/v1/budgets/${budget.id}`]: () => ({ status: 204 }) });
    const result = await bud(['budgets', 'delete', budget.id], fetchFn);
    expect(result).toMatchObject({ code: 0, stdout: `Deleted budget ${budget.id}.\n` });
    expect(calls[0].method).toBe('DELETE');
  });
});
