import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  BUDGET_THRESHOLD_EVENT_TYPE,
  budgetResponseSchema,
  budgetThresholdEventDataSchema,
  budgetVerdictSchema,
  pageOf,
} from '@bud/contracts';
import type { BudgetResponse, CloudEvent } from '@bud/contracts';
import { ManualClock, pollUntil } from '@bud/testing';
import { startBudcluster } from '../../src/budcluster.app';
import { loadBudclusterConfig } from '../../src/config/budcluster.config';
import { BudgetRepository } from '../../src/repositories/budget.repository';
import { BUDGET_WATCHER } from '../../src/services/budget-watcher';
import type { BudgetWatcher } from '../../src/services/budget-watcher';
import { containerJob, startHarness, testBudclusterEnv } from '../support/harness';
import type { Caller, Harness, HttpAnswer } from '../support/harness';

/** 12 hours before the end of October 2026 (in the past, so the outbox relay finds the events due at once). */
const NOW = Date.parse('2026-10-31T12:00:00.000Z');

/**
 * docs/design.md#budgets through the API: budgets per tenant and project, this month's standing from the rollup, the
 * block_new gate at job create, the verdict of POST /budgets/check, and threshold events once per threshold and month
 * across repeated ticks and a restart.
 */
describe('budgets', () => {
  let h: Harness;
  let clock: ManualClock;
  /** A shared cluster pricing an A100 at $2/h and nothing else; its jobs wait a day to be admitted. */
  let clusterId: string;

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    h = await startHarness({}, { clock });
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: {
        name: `budget-${randomUUID().slice(0, 6)}`,
        type: 'simulated',
        shared: true,
        settings: { admit_delay_ms: 86_400_000, gpu_capacity: { 'A100-80GB': 8 } },
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
  const put = (body: unknown, caller: Caller = h.tenantA) => h.http<BudgetResponse>('PUT', '/api/v1/budgets', { caller, body });
  const list = async (caller: Caller = h.tenantA) => {
    const answer = await h.http('GET', '/api/v1/budgets', { caller, schema: pageOf(budgetResponseSchema) });
    expect(answer.status).toBe(200);
    return answer.body.items;
  };
  const check = (body: unknown, caller: Caller = h.tenantA) =>
    h.http('POST', '/api/v1/budgets/check', { caller, body, schema: budgetVerdictSchema });
  /** A metered hour of cost for the tenant, as the meter's rollup holds it. */
  const spend = async (tenantId: string, cost: string, projectId: string | null = null, hour = '2026-10-31T10:00:00Z') => {
    await db().query(
      `INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, tenant_id,
         project_id, deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
       VALUES ($1, $2, 'A100-80GB', 2, 0, 0, $3, $4, NULL, $5, 'spend', 0, 0, 0, $6)`,
      [hour, randomUUID(), tenantId, projectId, clusterId, cost],
    );
  };
  const gpuJob = (overrides: Record<string, unknown> = {}) =>
    containerJob({ resources: { cpu_request: '500m', memory_request: '512Mi', gpu_type: 'A100-80GB', gpu_count: 1 }, ...overrides });
  const createJob = (caller: Caller, body: unknown) => h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { caller, body });
  const expect422 = (answer: HttpAnswer, path: string, message: RegExp) => {
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed' });
    expect(answer.body.details).toContainEqual({ path, message: expect.stringMatching(message) });
  };
  const thresholdEvents = (budgetId: string) =>
    h.subscriber.received.filter(
      (e: CloudEvent) => e.type === BUDGET_THRESHOLD_EVENT_TYPE && (e.data as { budget_id?: string }).budget_id === budgetId,
    );
  const tick = (service: typeof h.service, tenantIds: string[]) =>
    service.app
      .get(BudgetRepository)
      .transaction((tx) => service.app.get<BudgetWatcher>(BUDGET_WATCHER).afterMeter(tx, { tenantIds, now: new Date(clock.now()) }));

  it('sets, lists, replaces and deletes a budget; 100 is always a threshold; another tenant sees none of it', async () => {
    const tenant = await h.caller(['billing:view', 'billing:manage']);
    const created = await put({ monthly_amount: '250.5', thresholds: [50] }, tenant);
    expect(created.status).toBe(200);
    expect(budgetResponseSchema.parse(created.body)).toMatchObject({
      project_id: null,
      monthly_amount: '250.500000',
      thresholds: [50, 100],
      action: 'notify',
      period: '2026-10',
      spent: '0.000000',
      remaining: '250.500000',
      projected_month_end: '0.000000',
      used_ratio: 0,
      crossed: [],
      version: 1,
    });
    const replaced = await put({ monthly_amount: '300', action: 'stop' }, tenant);
    expect(replaced.body).toMatchObject({
      id: created.body.id,
      monthly_amount: '300.000000',
      thresholds: [80, 100],
      action: 'stop',
      version: 2,
    });
    const project = await put({ project_id: randomUUID(), monthly_amount: '10' }, tenant);
    expect(project.body.id).not.toBe(created.body.id);
    expect((await list(tenant)).map((b) => b.id)).toEqual([created.body.id, project.body.id]);
    expect(await list(h.tenantB)).toEqual([]);

    expect((await h.http('DELETE', `/api/v1/budgets/${project.body.id}`, { caller: h.tenantB })).status).toBe(404);
    expect((await h.http('DELETE', `/api/v1/budgets/${project.body.id}`, { caller: tenant })).status).toBe(204);
    expect((await h.http('DELETE', `/api/v1/budgets/${project.body.id}`, { caller: tenant })).status).toBe(404);
    expect((await list(tenant)).map((b) => b.id)).toEqual([created.body.id]);
  });

  it('refuses bad input with 422s naming the field, and callers without the scope with 403', async () => {
    expect422(await put({ monthly_amount: '12.345' }), 'monthly_amount', /two decimal places/);
    expect422(await put({ monthly_amount: '-5' }), 'monthly_amount', /decimal amount/);
    expect422(await put({ monthly_amount: '10', thresholds: [80, 80] }), 'thresholds', /repeat/);
    expect422(await put({ monthly_amount: '10', thresholds: [0] }), 'thresholds[0]', /./);
    expect422(await put({ monthly_amount: '10', action: 'explode' }), 'action', /./);
    expect422(await put({ monthly_amount: '10', tenant_id: randomUUID() }), 'tenant_id', /not a known field/);
    expect422(await put({ monthly_amount: '10', project_id: 'nope' }), 'project_id', /./);
    expect422(await check({ estimated_cost_per_hour: '1.5' }), 'estimated_cost_per_hour', /six places/);
    expect((await h.http('DELETE', '/api/v1/budgets/not-a-uuid')).status).toBe(422);
    const viewer = await h.caller(['billing:view']);
    expect((await put({ monthly_amount: '10' }, viewer)).status).toBe(403);
    const nobody = await h.caller(['job:view']);
    expect((await h.http('GET', '/api/v1/budgets', { caller: nobody })).status).toBe(403);
    expect((await check({ estimated_cost_per_hour: '1.000000' }, nobody)).status).toBe(403);
  });

  it('block_new refuses the job whose rest-of-month cost does not fit what remains, and admits one that fits', async () => {
    const tenant = await h.caller(['billing:view', 'billing:manage', 'job:manage', 'job:view']);
    expect((await put({ monthly_amount: '100', action: 'block_new' }, tenant)).status).toBe(200);
    await spend(tenant.tenantId, '90');

    // $2/h × the 12 hours left in October = $24 > the $10 that remain: over by $14.
    const refused = await createJob(tenant, gpuJob());
    expect422(refused, 'resources', /over budget by \$14\.000000: projected rest-of-month cost \$24\.000000 .*> remaining \$10\.000000/);
    const verdict = await check({ estimated_cost_per_hour: '2.000000' }, tenant);
    expect(verdict.body).toMatchObject({
      admits: false,
      budgets: [{ action: 'block_new', remaining: '10.000000', projected_new: '24.000000', over_by: '14.000000' }],
    });

    // Bounded by its max runtime (one hour: $2) it fits.
    const bounded = await createJob(tenant, gpuJob({ job_type: 'batch', policy: { max_runtime_seconds: 3600 } }));
    expect(bounded.status).toBe(201);
    expect((await check({ estimated_cost_per_hour: '0.500000' }, tenant)).body).toMatchObject({ admits: true, message: 'within budget' });
    // A job that costs nothing is never refused, even over budget.
    await spend(tenant.tenantId, '20');
    expect((await createJob(tenant, containerJob())).status).toBe(201);
  });

  it('a project budget covers only its project; running work counts toward the projected month end', async () => {
    const tenant = await h.caller(['billing:view', 'billing:manage', 'job:manage', 'job:view']);
    const projectId = randomUUID();
    expect((await put({ project_id: projectId, monthly_amount: '30', action: 'block_new' }, tenant)).status).toBe(200);
    expect((await put({ monthly_amount: '1000', action: 'notify' }, tenant)).status).toBe(200);

    // A running $2/h job of the project projects $24 more by the month's end: $7 left for new work.
    const running = await createJob(tenant, gpuJob({ project_id: projectId }));
    expect(running.status).toBe(201);
    await db().query(`UPDATE jobs SET status = 'running' WHERE id = $1`, [running.body.id]);
    const [tenantBudget, projectBudget] = await list(tenant);
    expect(projectBudget).toMatchObject({ project_id: projectId, spent: '0.000000', projected_month_end: '24.000000' });
    expect(tenantBudget).toMatchObject({ project_id: null, projected_month_end: '24.000000' });

    expect422(await createJob(tenant, gpuJob({ project_id: projectId })), 'resources', /over budget by \$18\.000000/);
    expect((await createJob(tenant, gpuJob())).status).toBe(201);
    const verdict = await check({ project_id: projectId, estimated_cost_per_hour: '0.500000' }, tenant);
    expect(verdict.body.admits).toBe(true);
    expect(verdict.body.budgets.map((b) => [b.project_id, b.over_by])).toEqual([
      [null, null],
      [projectId, null],
    ]);
  });

  it('publishes each threshold once a month, across repeated ticks and a restart; a new month crosses again', async () => {
    const tenant = await h.caller(['billing:view', 'billing:manage']);
    const budget = (await put({ monthly_amount: '100', thresholds: [50, 80], action: 'stop' }, tenant)).body;
    await spend(tenant.tenantId, '60');
    await tick(h.service, [tenant.tenantId]);
    await tick(h.service, [tenant.tenantId]);
    await pollUntil(
      () => thresholdEvents(budget.id).length,
      (n) => n >= 1,
      { what: '1 threshold events' },
    );
    expect((await list(tenant))[0]).toMatchObject({ spent: '60.000000', crossed: [50], used_ratio: 0.6 });

    await spend(tenant.tenantId, '45', null, '2026-10-31T11:00:00Z');
    // A second replica on the same database, then this one again: the crossings are in the database, not in memory.
    const other = await startBudcluster(loadBudclusterConfig({ PORT: '0', ...testBudclusterEnv(h.db, h.subscriber.url) }), { clock });
    try {
      await tick(other, [tenant.tenantId]);
    } finally {
      await other.stop();
    }
    await tick(h.service, [tenant.tenantId]);
    await pollUntil(
      () => thresholdEvents(budget.id).length,
      (n) => n >= 3,
      { what: '3 threshold events' },
    );
    const events = thresholdEvents(budget.id)
      .map((e) => budgetThresholdEventDataSchema.parse(e.data))
      .sort((a, b) => a.threshold - b.threshold);
    expect(events.map((e) => [e.period, e.threshold, e.spent])).toEqual([
      ['2026-10', 50, '60.000000'],
      ['2026-10', 80, '105.000000'],
      ['2026-10', 100, '105.000000'],
    ]);
    expect(events[0]).toMatchObject({ tenant_id: tenant.tenantId, project_id: null, action: 'stop', monthly_amount: '100.000000' });
    expect(
      (
        await db().query(`SELECT count(*)::int AS n FROM outbox WHERE event->>'type' = $1 AND event->'data'->>'budget_id' = $2`, [
          BUDGET_THRESHOLD_EVENT_TYPE,
          budget.id,
        ])
      )[0].n,
    ).toBe(3);

    // November: nothing spent yet, nothing crossed; its first spend over the amount crosses every threshold again.
    await clock.advance(13 * 3_600_000);
    expect((await list(tenant))[0]).toMatchObject({ period: '2026-11', spent: '0.000000', crossed: [] });
    await spend(tenant.tenantId, '100', null, '2026-11-01T00:00:00Z');
    await tick(h.service, [tenant.tenantId]);
    await pollUntil(
      () => thresholdEvents(budget.id).length,
      (n) => n >= 6,
      { what: '6 threshold events' },
    );
    expect((await list(tenant))[0]).toMatchObject({ period: '2026-11', crossed: [50, 80, 100] });
  });

  it('lowering a budget below the month’s spend crosses its thresholds at once', async () => {
    const tenant = await h.caller(['billing:view', 'billing:manage']);
    const hour = new Date(Math.floor(clock.now() / 3_600_000) * 3_600_000).toISOString();
    await spend(tenant.tenantId, '5', null, hour);
    const budget = (await put({ monthly_amount: '100' }, tenant)).body;
    expect(budget.crossed).toEqual([]);
    const lowered = (await put({ monthly_amount: '5' }, tenant)).body;
    expect(lowered).toMatchObject({ crossed: [80, 100], remaining: '0.000000', used_ratio: 1 });
    await pollUntil(
      () => thresholdEvents(budget.id).length,
      (n) => n >= 2,
      { what: '2 threshold events' },
    );
  });
});
