// docs/design.md#budgets and #budget-events across both services: the dry-run carries budcluster's budget verdict, a
// block_new budget refuses the deployment that would cross it before any job, and a stop budget at 100% stops the
// running deployments of its scope (tenant or project) with the data-safe stop and an event that names the budget.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { budgetResponseSchema, changePlanSchema, deploymentEventSchema, dryRunResponseSchema, scopes } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { z } from 'zod';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';
import { startUsecasesHarness } from '../support/harness';
import type { Caller, UsecasesHarness } from '../support/harness';

describe('budgets and deployments', () => {
  let h: UsecasesHarness;
  beforeAll(async () => {
    h = await startUsecasesHarness();
  });
  afterAll(() => h.stop());

  const newTenant = () => h.caller(scopes.filter((s) => s !== 'platform:admin'));
  const putBudget = async (caller: Caller, body: Record<string, unknown>) => {
    const answer = await h.clusterHttp('PUT', '/api/v1/budgets', { caller, body, schema: budgetResponseSchema });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  /** One statement on budcluster's database. */
  const clusterSql = async (sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: h.clusterDb.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  /** Metered cost for the tenant this hour, written as the meter's hourly rollup holds it. */
  const spend = (tenantId: string, cost: string, projectId: string | null = null) =>
    clusterSql(
      `INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, tenant_id,
         project_id, deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
       VALUES (date_trunc('hour', now()), $1, '', 0, 0, 0, $2, $3, NULL, $4, 'spend', 0, 0, 0, $5)`,
      [randomUUID(), tenantId, projectId, h.localClusterId, cost],
    );
  const events = async (caller: Caller, id: string) => {
    const answer = await h.http('GET', `/api/v1/deployments/${id}/events`, {
      caller,
      schema: z.object({ items: z.array(deploymentEventSchema) }),
    });
    return answer.body.items;
  };

  it('the dry-run shows the verdict; a block_new budget refuses the deployment that would cross it, before any job', async () => {
    const tenant = await newTenant();
    const clusterId = await fastCluster(h, tenant);
    const dryRun = () =>
      h.http('POST', '/api/v1/deployments?dry_run=true', { caller: tenant, body: ragRequest(clusterId), schema: dryRunResponseSchema });

    // No budget: no verdict.
    const free = await dryRun();
    expect(free.status).toBe(200);
    expect(free.body.budget).toBeUndefined();

    // simple-rag-v1 holds an A100 ($2.50/h on the default prices): far more than $1 by the month's end.
    const budget = await putBudget(tenant, { monthly_amount: '1', action: 'block_new' });
    const planned = await dryRun();
    expect(planned.status).toBe(200);
    expect(planned.body.budget).toMatchObject({
      admits: false,
      budgets: [{ budget_id: budget.id, action: 'block_new', remaining: '1.000000' }],
    });
    expect(planned.body.budget?.message).toMatch(/^over budget by \$\d+\.\d{6}: projected rest-of-month cost/);
    expect(planned.body.budget?.budgets[0]?.over_by).not.toBeNull();

    const refused = await h.http('POST', '/api/v1/deployments', { caller: tenant, body: ragRequest(clusterId) });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toContainEqual({ path: 'parameters', message: expect.stringMatching(/^over budget by \$/) });
    const deployments = await h.http('GET', '/api/v1/deployments', { caller: tenant });
    expect(deployments.body.total).toBe(0);
    const jobs = await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs`, { caller: tenant });
    expect(jobs.body.total).toBe(0);

    // A notify budget only reports: the deployment is created and runs.
    await putBudget(tenant, { monthly_amount: '1', action: 'notify' });
    const reported = await dryRun();
    expect(reported.body.budget).toMatchObject({ admits: true, budgets: [{ action: 'notify' }] });
    const created = await h.http('POST', '/api/v1/deployments', { caller: tenant, body: ragRequest(clusterId) });
    expect(created.status).toBe(201);

    // A change preview that adds cost per hour judges the addition against the budgets; one that adds none, not at all.
    await waitForStatus(h, created.body.id, 'running', tenant);
    const scale = await h.http('POST', `/api/v1/deployments/${created.body.id}/components/orchestrator/scale?dry_run=true`, {
      caller: tenant,
      body: { replicas: 3 },
      schema: changePlanSchema,
    });
    expect(scale.status).toBe(200);
    expect(scale.body.budget).toMatchObject({ admits: true, budgets: [{ budget_id: budget.id, action: 'notify' }] });
    expect(scale.body.budget?.budgets[0]?.over_by).not.toBeNull();
    const stop = await h.http('POST', `/api/v1/deployments/${created.body.id}/stop?dry_run=true`, {
      caller: tenant,
      schema: changePlanSchema,
    });
    expect(stop.status).toBe(200);
    expect(stop.body.budget).toBeUndefined();
  });

  it("a stop budget at 100% stops the scope's running deployments (data kept) with an event naming the budget", async () => {
    const tenant = await newTenant();
    const clusterId = await fastCluster(h, tenant);
    const projectId = randomUUID();
    const inProject = await h.http('POST', '/api/v1/deployments', {
      caller: tenant,
      body: ragRequest(clusterId, { project_id: projectId }),
    });
    const outside = await h.http('POST', '/api/v1/deployments', { caller: tenant, body: ragRequest(clusterId) });
    expect([inProject.status, outside.status]).toEqual([201, 201]);
    await waitForStatus(h, inProject.body.id, 'running', tenant);
    await waitForStatus(h, outside.body.id, 'running', tenant);

    // The project spent $40 of a $50 stop budget (80% crossed: nothing stops), then $60: 100% stops its deployment only.
    await spend(tenant.tenantId, '40', projectId);
    const budget = await putBudget(tenant, { project_id: projectId, monthly_amount: '50', action: 'stop' });
    expect(budget.crossed).toEqual([80]);
    await spend(tenant.tenantId, '20', projectId);
    // What the meter's tick does after this spend; a PUT of the same budget runs the same check at once.
    const crossed = await putBudget(tenant, { project_id: projectId, monthly_amount: '50', action: 'stop' });
    expect(crossed.crossed).toEqual([80, 100]);

    await waitForStatus(h, inProject.body.id, 'stopped', tenant);
    const history = await events(tenant, inProject.body.id);
    const why = history.find((e) => e.type === 'action' && e.message?.includes(budget.id));
    expect(why?.message).toMatch(
      new RegExp(
        `^stopped by project ${projectId}'s budget ${budget.id}: \\d{4}-\\d{2} spend \\$60\\.000000 reached 100% of \\$50\\.000000 \\(data kept`,
      ),
    );

    // The deployment outside the project runs on.
    expect((await h.http('GET', `/api/v1/deployments/${outside.body.id}`, { caller: tenant })).body.status).toBe('running');

    // While the spent stop budget stands, starting the deployment again is refused up front: it stays stopped.
    const refused = await h.http('POST', `/api/v1/deployments/${inProject.body.id}/start`, { caller: tenant });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toContainEqual({
      path: 'parameters',
      message: expect.stringMatching(/a stop budget at 100% refuses new work/),
    });
    expect((await h.http('GET', `/api/v1/deployments/${inProject.body.id}`, { caller: tenant })).body.status).toBe('stopped');

    // Raised, the budget lets it start; the crossing is published once a month: the deployment keeps running however
    // often the budget is checked (here: set again, once everything budcluster queued has been delivered).
    await putBudget(tenant, { project_id: projectId, monthly_amount: '200', action: 'stop' });
    const started = await h.http('POST', `/api/v1/deployments/${inProject.body.id}/start`, { caller: tenant });
    expect(started.status).toBe(202);
    await waitForStatus(h, inProject.body.id, 'running', tenant);
    await putBudget(tenant, { project_id: projectId, monthly_amount: '200', action: 'stop' });
    await pollUntil(
      async () => (await clusterSql(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`))[0]?.n as number,
      (n) => n === 0,
      { what: "budcluster's outbox delivered", timeoutMs: 15_000 },
    );
    const published = await clusterSql(`SELECT event->'data'->>'threshold' AS t FROM outbox WHERE event->'data'->>'budget_id' = $1`, [
      budget.id,
    ]);
    expect(published.map((row) => row.t).sort()).toEqual(['100', '80']);
    expect((await h.http('GET', `/api/v1/deployments/${inProject.body.id}`, { caller: tenant })).body.status).toBe('running');
    expect((await events(tenant, inProject.body.id)).filter((e) => e.message?.includes(budget.id))).toHaveLength(1);
  });
});
