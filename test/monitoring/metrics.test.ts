// Both services' /metrics as Prometheus scrapes them: the per-deployment, per-tenant and per-budget families of
// docs/operations.md#metrics-and-alerts with real data, empty tables, the series cap, and every metric the Grafana
// dashboard and the alert rules read checked against what the two services really export.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { systemClock } from '@bud/ports';
import { metricValue, pollUntil } from '@bud/testing';
import { MeteringMetricsQueries } from '../../apps/budcluster/src/repositories/metering-metrics.repository';
import { registerMeteringMetrics } from '../../apps/budcluster/src/services/metrics-metering';
import { fastCluster, ragRequest, waitForStatus } from '../../apps/budusecases/test/support/deployments';
import { startUsecasesHarness } from '../../apps/budusecases/test/support/harness';
import type { UsecasesHarness } from '../../apps/budusecases/test/support/harness';
import { alertRules, dashboardQueries, readDashboard, readYaml, rulesFile } from './support/monitoring-files';
import type { RuleGroups } from './support/monitoring-files';
import { exposedMetricNames, grafanaQueryMetricNames, promqlMetricNames } from './support/promql-names';

const scrape = async (url: string): Promise<string> => {
  const answer = await fetch(`${url}/metrics`);
  expect(answer.status).toBe(200);
  return answer.text();
};

/** The sample lines of one metric family (no HELP/TYPE). */
const samples = (exposition: string, name: string): string[] => exposition.split('\n').filter((line) => line.startsWith(`${name}{`));

const monthStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

describe('the services’ metrics for dashboards and alerts', () => {
  let h: UsecasesHarness;
  let clusterSql: Client;
  beforeAll(async () => {
    // The meter off: the usage rows below are the only ones, so the accrued cost and budget ratios are exact.
    h = await startUsecasesHarness({ cluster: { METER_ENABLED: 'false' } });
    clusterSql = new Client({ connectionString: h.clusterDb.url });
    await clusterSql.connect();
  });
  afterAll(async () => {
    await clusterSql?.end();
    await h?.stop();
  });

  it('with no deployments, budgets or usage yet, both answer with every family and no per-object series', async () => {
    const [cluster, usecases] = await Promise.all([scrape(h.cluster.url), scrape(h.usecases.url)]);
    for (const name of [
      'bud_deployment_cost_usd_total',
      'bud_deployment_cost_per_hour_usd',
      'bud_tenant_gpus_in_use',
      'bud_budget_used_ratio',
      'bud_component_replicas_ready',
      'bud_component_replicas_desired',
    ]) {
      expect(cluster).toContain(`# TYPE ${name} `);
      expect(samples(cluster, name)).toEqual([]);
    }
    for (const name of ['bud_deployment_status', 'bud_component_status']) {
      expect(usecases).toContain(`# TYPE ${name} gauge`);
      expect(samples(usecases, name)).toEqual([]);
    }
    expect(metricValue(cluster, 'bud_cluster_reachable', { cluster_id: h.localClusterId })).toBe(1);
    expect(metricValue(usecases, 'bud_outbox_backlog')).toBe(0);
    expect(metricValue(usecases, 'bud_outbox_oldest_age_seconds')).toBe(0);
    expect(metricValue(cluster, 'bud_metrics_series_dropped_total', { metric: 'bud_budget_used_ratio' })).toBe(0);
  });

  describe('a running deployment', () => {
    let deployment: {
      id: string;
      estimated_cost_per_hour: string;
      components: Array<{ id: string; status: string; replicas: number | null }>;
    };
    beforeAll(async () => {
      const clusterId = await fastCluster(h, h.tenantA);
      const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
      expect(created.status).toBe(201);
      deployment = await waitForStatus(h, created.body.id, 'running');
    });

    it('budusecases reports its status and each component’s, one series each', async () => {
      const usecases = await scrape(h.usecases.url);
      const own = samples(usecases, 'bud_deployment_status').filter((line) => line.includes(`deployment_id="${deployment.id}"`));
      expect(own).toEqual([
        `bud_deployment_status{deployment_id="${deployment.id}",tenant_id="${h.tenantA.tenantId}",template="simple-rag-v1",status="running",service="budusecases"} 1`,
      ]);
      for (const component of deployment.components)
        expect(
          metricValue(usecases, 'bud_component_status', {
            deployment_id: deployment.id,
            component: component.id,
            status: component.status,
          }),
        ).toBe(1);
      expect(samples(usecases, 'bud_component_status').filter((line) => line.includes(deployment.id))).toHaveLength(
        deployment.components.length,
      );
    });

    it('budcluster reports ready and desired replicas per component, the cost rate and the GPUs held', async () => {
      const running = deployment.components.filter((c) => c.status === 'running');
      expect(running.length).toBeGreaterThan(0);
      // The cluster's ready count follows the simulated pods a moment after the job runs.
      const cluster = await pollUntil(
        () => scrape(h.cluster.url),
        (text) =>
          running.every(
            (c) =>
              metricValue(text, 'bud_component_replicas_ready', { deployment_id: deployment.id, component: c.id }) === (c.replicas ?? 1),
          ),
        { what: 'ready replicas reported', timeoutMs: 20_000 },
      );
      for (const c of running)
        expect(metricValue(cluster, 'bud_component_replicas_desired', { deployment_id: deployment.id, component: c.id })).toBe(
          c.replicas ?? 1,
        );
      expect(
        metricValue(cluster, 'bud_deployment_cost_per_hour_usd', { deployment_id: deployment.id, tenant_id: h.tenantA.tenantId }),
      ).toBeCloseTo(Number(deployment.estimated_cost_per_hour), 6);
      const jobs = await clusterSql.query<{ gpu_type: string; gpus: number }>(
        `SELECT resources->>'gpu_type' AS gpu_type, SUM((resources->>'gpu_count')::int * (resources->>'replicas')::int)::int AS gpus
           FROM jobs WHERE tenant_id = $1 AND status IN ('admitted', 'running') AND (resources->>'gpu_count')::int > 0 GROUP BY 1`,
        [h.tenantA.tenantId],
      );
      expect(jobs.rows.length).toBeGreaterThan(0);
      for (const row of jobs.rows)
        expect(metricValue(cluster, 'bud_tenant_gpus_in_use', { tenant_id: h.tenantA.tenantId, gpu_type: row.gpu_type })).toBe(row.gpus);
      expect(samples(cluster, 'bud_tenant_gpus_in_use').filter((line) => line.includes(h.tenantA.tenantId))).toHaveLength(jobs.rows.length);
    });

    it('accrued cost sums the hourly rollup of every run (a deleted job’s too); budgets count this month, a project’s its project', async () => {
      const now = new Date();
      const thisMonth = monthStart(now);
      const lastMonth = new Date(thisMonth.getTime() - 3_600_000);
      const { rows } = await clusterSql.query<{ id: string; cluster_id: string }>(
        `SELECT id, cluster_id FROM jobs WHERE usecase_deployment_id = $1 LIMIT 1`,
        [deployment.id],
      );
      const [job] = rows;
      const project = randomUUID();
      const usage = (
        hour: Date,
        jobId: string,
        cost: string,
        projectId: string | null = null,
        deploymentId: string | null = deployment.id,
      ) =>
        clusterSql.query(
          `INSERT INTO usage_hourly (hour, job_id, gpu_type, gpu_hour_price, vcpu_hour_price, memory_gib_hour_price, tenant_id, project_id,
                                     deployment_id, cluster_id, job_name, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost)
           VALUES ($1, $2, '', 0, 0, 0, $3, $4, $5, $6, 'metered', 0, 0, 0, $7)`,
          [hour, jobId, h.tenantA.tenantId, projectId, deploymentId, job.cluster_id, cost],
        );
      await usage(thisMonth, job.id, '2.500000');
      await usage(lastMonth, job.id, '1.000000'); // an earlier month: accrued, but not this month's budget
      await usage(thisMonth, randomUUID(), '0.125000'); // a job of the deployment deleted since (an earlier run)
      await usage(thisMonth, randomUUID(), '0.375000', project, null); // a project's job outside any deployment
      // The meter keeps each deployment's accrued total beside the rollup, in the same transaction.
      await clusterSql.query(`INSERT INTO deployment_usage_totals (deployment_id, tenant_id, cost) VALUES ($1, $2, '3.625000')`, [
        deployment.id,
        h.tenantA.tenantId,
      ]);
      const budget = (projectId: string | null, amount: string) =>
        clusterSql.query(
          `INSERT INTO budgets (id, tenant_id, project_id, monthly_amount, thresholds, action, created_at, updated_at, version)
           VALUES ($1, $2, $3, $4, '[80, 100]', 'notify', $5, $5, 1) RETURNING id`,
          [randomUUID(), h.tenantA.tenantId, projectId, amount, now],
        );
      const tenantBudget = (await budget(null, '6.000000')).rows[0].id as string;
      const projectBudget = (await budget(project, '0.250000')).rows[0].id as string;

      const cluster = await scrape(h.cluster.url);
      expect(
        metricValue(cluster, 'bud_deployment_cost_usd_total', { deployment_id: deployment.id, tenant_id: h.tenantA.tenantId }),
      ).toBeCloseTo(3.625, 6);
      // this month: 2.5 + 0.125 + 0.375 = 3 of 6; the project's 0.375 of 0.25
      expect(metricValue(cluster, 'bud_budget_used_ratio', { budget_id: tenantBudget, project_id: '' })).toBeCloseTo(0.5, 9);
      expect(
        metricValue(cluster, 'bud_budget_used_ratio', { budget_id: projectBudget, project_id: project, tenant_id: h.tenantA.tenantId }),
      ).toBeCloseTo(1.5, 9);
      expect(samples(cluster, 'bud_deployment_cost_usd_total').filter((line) => line.includes('deployment_id=""'))).toEqual([]);
    });

    it('past the series cap the fullest budgets stay and the rest are counted as dropped', async () => {
      const db = new DataSource({ type: 'postgres', url: h.clusterDb.url, poolSize: 1 });
      await db.initialize();
      try {
        const registry = new Registry();
        registerMeteringMetrics(registry, new MeteringMetricsQueries(db, 1), systemClock);
        const first = await registry.metrics();
        // Only the project's budget (150 % used) is left; the tenant's (50 %) is dropped and counted, per scrape.
        expect(samples(first, 'bud_budget_used_ratio')).toHaveLength(1);
        expect(first).toMatch(/bud_budget_used_ratio\{[^}]*project_id="[0-9a-f-]{36}"\} 1\.5/);
        expect(metricValue(first, 'bud_metrics_series_dropped_total', { metric: 'bud_budget_used_ratio' })).toBe(1);
        const second = await registry.metrics();
        expect(metricValue(second, 'bud_metrics_series_dropped_total', { metric: 'bud_budget_used_ratio' })).toBe(2);
      } finally {
        await db.destroy();
      }
    });

    it('every metric the dashboard and the alert rules read is one the two services export', async () => {
      const [cluster, usecases] = await Promise.all([scrape(h.cluster.url), scrape(h.usecases.url)]);
      const exported = new Set([...exposedMetricNames(cluster), ...exposedMetricNames(usecases)]);
      const read = [
        ...dashboardQueries(readDashboard()).map((q) => ({ where: q.where, names: grafanaQueryMetricNames(q.query) })),
        ...alertRules(readYaml<RuleGroups>(rulesFile)).map((r) => ({ where: `alert ${r.alert}`, names: promqlMetricNames(r.expr) })),
      ];
      expect(read.length).toBeGreaterThan(10);
      const unknown = read.flatMap((q) => q.names.filter((name) => !exported.has(name)).map((name) => `${q.where}: ${name}`));
      expect(unknown).toEqual([]);
    });
  });
});
