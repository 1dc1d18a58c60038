import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { BUDGET_THRESHOLD_EVENT_TYPE, budgetVerdictSchema } from '@bud/contracts';
import type { BudgetResponse, CloudEvent } from '@bud/contracts';
import { ManualClock, metricValue, pollUntil } from '@bud/testing';
import { MeteringMetricsQueries } from '../../src/repositories/metering-metrics.repository';
import { BudgetRepository } from '../../src/repositories/budget.repository';
import { BUDGET_WATCHER } from '../../src/services/budget-watcher';
import type { BudgetWatcher } from '../../src/services/budget-watcher';
import { MAX_PROJECT_BUDGETS } from '../../src/services/budget.service';
import { registerMeteringMetrics } from '../../src/services/metrics-metering';
import { containerJob, startHarness } from '../support/harness';
import type { Caller, Harness, HttpAnswer } from '../support/harness';

/** 12 hours before the end of October 2026. */
const NOW = Date.parse('2026-10-31T12:00:00.000Z');
const HOUR = '2026-10-31T10:00:00Z';

/**
 * docs/design.md#budgets against a hostile or careless tenant: the budget metrics shared fairly past the series cap,
 * at most MAX_PROJECT_BUDGETS project budgets a tenant, new spend through a PATCH or a retry judged like a new job,
 * a changed budget that crosses its thresholds again, a spent `stop` budget refusing new work, and no negative
 * cost in a budget check.
 */
describe('budgets under abuse', () => {
  let h: Harness;
  let clock: ManualClock;
  /** A shared cluster pricing an A100 at $2/h; its jobs wait a day to be admitted (they hold nothing). */
  let clusterId: string;

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    h = await startHarness({ METER_ENABLED: 'false' }, { clock });
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: {
        name: `abuse-${randomUUID().slice(0, 6)}`,
        type: 'simulated',
        shared: true,
        settings: { admit_delay_ms: 86_400_000, gpu_capacity: { 'A100-80GB': 64 } },
        price_table: { gpu_hour: { 'A100-80GB': 2 }, vcpu_hour: 0, memory_gib_hour: 0 },
      },
    });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
  });
  afterAll(async () => {
    await h.stop();
  });

  const db = () => h.service.app.get(DataSource);
  const manager = () => h.caller(['billing:view', 'billing:manage', 'job:manage', 'job:view', 'cluster:manage']);
  const put = (body: unknown, caller: Caller) => h.http<BudgetResponse>('PUT', '/api/v1/budgets', { caller, body });
  const spend = async (tenantId: string, cost: string, projectId: string | null = null) => {
    await db().query(
      `INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, tenant_id,
         project_id, deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
       VALUES ($1, $2, 'A100-80GB', 2, 0, 0, $3, $4, NULL, $5, 'spend', 0, 0, 0, $6)`,
      [HOUR, randomUUID(), tenantId, projectId, clusterId, cost],
    );
  };
  const gpuJob = (overrides: Record<string, unknown> = {}) =>
    containerJob({ resources: { cpu_request: '500m', memory_request: '512Mi', gpu_type: 'A100-80GB', gpu_count: 1 }, ...overrides });
  const createJob = (caller: Caller, body: unknown) =>
    h.http<{ id: string }>('POST', `/api/v1/clusters/${clusterId}/jobs`, { caller, body });
  const expectError = (answer: HttpAnswer, status: number, path: string, message: RegExp) => {
    expect(answer.status).toBe(status);
    expect(answer.body.details).toContainEqual({ path, message: expect.stringMatching(message) });
  };
  const thresholdEvents = (budgetId: string) =>
    h.subscriber.received
      .filter((e: CloudEvent) => e.type === BUDGET_THRESHOLD_EVENT_TYPE && (e.data as { budget_id?: string }).budget_id === budgetId)
      .map((e: CloudEvent) => e.data as { threshold: number; action: string; monthly_amount: string });
  const tick = (tenantIds: string[]) =>
    h.service.app
      .get(BudgetRepository)
      .transaction((tx) => h.service.app.get<BudgetWatcher>(BUDGET_WATCHER).afterMeter(tx, { tenantIds, now: new Date(clock.now()) }));
  const scrapeCapped = async (cap: number): Promise<string> => {
    const registry = new Registry();
    registerMeteringMetrics(registry, new MeteringMetricsQueries(db(), cap), clock);
    return registry.metrics();
  };
  const samples = (exposition: string, name: string) => exposition.split('\n').filter((line) => line.startsWith(`${name}{`));

  it('past the series cap one tenant’s many budgets (zero amounts, random projects) cannot push out another tenant’s', async () => {
    const victim = await manager();
    const attacker = await manager();
    await spend(victim.tenantId, '5');
    const victimBudget = (await put({ monthly_amount: '10', action: 'stop' }, victim)).body;
    await spend(attacker.tenantId, '1');
    await put({ monthly_amount: '1', action: 'notify' }, attacker); // 100 % used: the attacker's fullest
    await db().query(
      `INSERT INTO budgets (id, tenant_id, project_id, monthly_amount, thresholds, action, created_at, updated_at, version)
       SELECT gen_random_uuid(), $1, gen_random_uuid(), 0, '[80,100]'::jsonb, 'notify', $2, $2, 1 FROM generate_series(1, 20)`,
      [attacker.tenantId, new Date(NOW)],
    );
    const rows = await db().query<Array<{ n: number }>>(`SELECT count(DISTINCT tenant_id)::int AS n FROM budgets`);
    const cap = rows[0].n;
    const exposition = await scrapeCapped(cap);
    // One series per tenant fits: each tenant's fullest budget, the victim's (50 %) and the attacker's 100 % one.
    expect(metricValue(exposition, 'bud_budget_used_ratio', { budget_id: victimBudget.id })).toBeCloseTo(0.5, 9);
    const attackers = samples(exposition, 'bud_budget_used_ratio').filter((line) => line.includes(attacker.tenantId));
    expect(attackers).toHaveLength(1);
    expect(attackers[0]).toMatch(/project_id=""\} 1$/);
    expect(metricValue(exposition, 'bud_metrics_series_dropped_total', { metric: 'bud_budget_used_ratio' })).toBeGreaterThanOrEqual(20);
  });

  it('past the series cap one tenant’s many unreachable clusters cannot push out the others’ cluster_reachable', async () => {
    const attacker = await manager();
    const attackerClusters: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
        caller: attacker,
        body: { name: `down-${i}`, type: 'simulated', settings: { gpu_capacity: { 'A100-80GB': 1 } } },
      });
      expect(created.status).toBe(201);
      attackerClusters.push(created.body.id);
      await db().query(`UPDATE clusters SET status = 'unreachable' WHERE id = $1`, [created.body.id]);
    }
    const rows = await db().query<Array<{ n: number }>>(`SELECT count(DISTINCT COALESCE(tenant_id::text, '')) ::int AS n FROM clusters`);
    const exposition = await scrapeCapped(rows[0].n);
    // One series per owner: one of the platform's shared clusters (ready) and one of the attacker's.
    const series = samples(exposition, 'bud_cluster_reachable');
    expect(series).toHaveLength(rows[0].n);
    expect(series.filter((line) => line.includes(h.localClusterId) || line.includes(clusterId))).toEqual([expect.stringMatching(/\} 1$/)]);
    expect(series.filter((line) => attackerClusters.some((id) => line.includes(id)))).toHaveLength(1);
  });

  it(`a tenant may have ${MAX_PROJECT_BUDGETS} project budgets; one more is a 409 naming project_id, changing one is fine`, async () => {
    const tenant = await manager();
    const projects: string[] = [];
    for (let i = 0; i < MAX_PROJECT_BUDGETS - 1; i++) projects.push(randomUUID());
    await db().query(
      `INSERT INTO budgets (id, tenant_id, project_id, monthly_amount, thresholds, action, created_at, updated_at, version)
       SELECT gen_random_uuid(), $1, p, 10, '[80,100]'::jsonb, 'notify', $2, $2, 1 FROM unnest($3::uuid[]) AS p`,
      [tenant.tenantId, new Date(NOW), projects],
    );
    const last = randomUUID();
    expect((await put({ project_id: last, monthly_amount: '10' }, tenant)).status).toBe(200);
    const refused = await put({ project_id: randomUUID(), monthly_amount: '10' }, tenant);
    expectError(refused, 409, 'project_id', new RegExp(`${MAX_PROJECT_BUDGETS} project budgets`));
    expect((await put({ project_id: last, monthly_amount: '20' }, tenant)).status).toBe(200);
    expect((await put({ monthly_amount: '1000' }, tenant)).status).toBe(200);
    const rows = await db().query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM budgets WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(rows[0].n).toBe(MAX_PROJECT_BUDGETS + 1);
  });

  it('block_new judges a PATCH that raises a job’s cost by what it adds, and a retry as new work', async () => {
    const tenant = await manager();
    const job = await createJob(tenant, gpuJob());
    expect(job.status).toBe(201);
    expect((await put({ monthly_amount: '100', action: 'block_new' }, tenant)).status).toBe(200);
    const patch = (body: unknown) => h.http('PATCH', `/api/v1/clusters/${clusterId}/jobs/${job.body.id}`, { caller: tenant, body });

    // 1 → 8 replicas adds 7 × $2/h × the 12 hours left = $168 > $100 remaining: over by $68.
    const refused = await patch({ resources: { replicas: 8 } });
    expectError(refused, 422, 'resources', /^over budget by \$68\.000000: projected rest-of-month cost \$168\.000000/);
    expect(refused.body.message).toMatch(/^the change is over budget/);
    const unchanged = await db().query<Array<{ resources: { replicas?: number }; generation: number }>>(
      `SELECT resources, generation FROM jobs WHERE id = $1`,
      [job.body.id],
    );
    expect(unchanged[0]).toMatchObject({ generation: 1 });
    expect(unchanged[0].resources.replicas ?? 1).toBe(1);

    // 1 → 2 adds $24: fits. Lowering never asks.
    expect((await patch({ resources: { replicas: 2 } })).status).toBe(200);
    await spend(tenant.tenantId, '99');
    expect((await patch({ resources: { replicas: 1 } })).status).toBe(200);
    expectError(await patch({ resources: { replicas: 2 } }), 422, 'resources', /over budget by \$23\.000000/);

    // A failed job's retry runs it again: $24 more does not fit the $1 left.
    await db().query(`UPDATE jobs SET status = 'failed' WHERE id = $1`, [job.body.id]);
    const retry = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs/${job.body.id}/retry`, { caller: tenant });
    expectError(retry, 422, 'resources', /over budget by \$23\.000000/);
    expect(retry.body.message).toMatch(/^the retry is over budget/);
    const rows = await db().query<Array<{ status: string }>>(`SELECT status FROM jobs WHERE id = $1`, [job.body.id]);
    expect(rows[0].status).toBe('failed');
  });

  it('a stop budget at 100% refuses new work and says so; below 100% it admits', async () => {
    const tenant = await manager();
    expect((await put({ monthly_amount: '10', action: 'stop' }, tenant)).status).toBe(200);
    await spend(tenant.tenantId, '9.5');
    expect((await createJob(tenant, gpuJob())).status).toBe(201);
    await spend(tenant.tenantId, '0.5');
    const refused = await createJob(tenant, gpuJob());
    expectError(refused, 422, 'resources', /a stop budget at 100% refuses new work/);
    const verdict = await h.http('POST', '/api/v1/budgets/check', {
      caller: tenant,
      body: { estimated_cost_per_hour: '0.010000' },
      schema: budgetVerdictSchema,
    });
    expect(verdict.body).toMatchObject({ admits: false, message: expect.stringMatching(/stop budget at 100%/) });
  });

  it('a changed budget forgets the crossings its new amount does not reach, and a changed action crosses 100% again', async () => {
    const tenant = await manager();
    await spend(tenant.tenantId, '90');
    const first = (await put({ monthly_amount: '100', action: 'notify' }, tenant)).body;
    expect(first.crossed).toEqual([80]);
    // Raised to $200: $90 is 45 %, so 80 is no longer crossed, and fires again when the spend reaches $160.
    const raised = (await put({ monthly_amount: '200', action: 'notify' }, tenant)).body;
    expect(raised.crossed).toEqual([]);
    await spend(tenant.tenantId, '75');
    await tick([tenant.tenantId]);
    await pollUntil(
      () => thresholdEvents(first.id).filter((e) => e.threshold === 80).length,
      (n) => n >= 2,
      { what: 'the 80 % event again' },
    );
    expect(thresholdEvents(first.id).find((e) => e.threshold === 80 && e.monthly_amount === '200.000000')).toBeDefined();

    // Lowered under the spend as notify: 100 % crossed; switched to stop: the 100 % event goes out again, as stop.
    expect((await put({ monthly_amount: '150', action: 'notify' }, tenant)).body.crossed).toEqual([80, 100]);
    expect((await put({ monthly_amount: '150', action: 'stop' }, tenant)).body.crossed).toEqual([80, 100]);
    await pollUntil(
      () =>
        thresholdEvents(first.id)
          .filter((e) => e.threshold === 100)
          .map((e) => e.action),
      (actions) => actions.includes('stop'),
      { what: 'the 100 % event as stop' },
    );
    expect(thresholdEvents(first.id).filter((e) => e.threshold === 80)).toHaveLength(2);
    // The same again changes nothing and announces nothing.
    expect((await put({ monthly_amount: '150', action: 'stop' }, tenant)).body.crossed).toEqual([80, 100]);
    await tick([tenant.tenantId]);
    const rows = await db().query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM outbox WHERE event->'data'->>'budget_id' = $1`, [
      first.id,
    ]);
    expect(rows[0].n).toBe(4);
  });

  it('a budget check refuses a negative cost per hour', async () => {
    const tenant = await manager();
    const answer = await h.http('POST', '/api/v1/budgets/check', { caller: tenant, body: { estimated_cost_per_hour: '-5.000000' } });
    expectError(answer, 422, 'estimated_cost_per_hour', /must not be negative/);
  });
});
