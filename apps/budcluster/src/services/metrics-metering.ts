import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { boundedSeries } from '@bud/http';
import type { Clock } from '@bud/ports';
import type { MeteringMetricsQueries } from '../repositories/metering-metrics.repository';

/**
 * budcluster's per-deployment, per-tenant, per-budget and per-cluster metrics (docs/operations.md#metrics-and-alerts),
 * read through MeteringMetricsQueries when Prometheus scrapes /metrics.
 */
export function registerMeteringMetrics(registry: Registry, queries: MeteringMetricsQueries, clock: Clock): void {
  const bounded = boundedSeries(registry);
  new Counter({
    name: 'bud_deployment_cost_usd_total',
    help: 'Accrued cost of a use-case deployment (USD, all its jobs and runs, from the usage ledger)',
    labelNames: ['deployment_id', 'tenant_id'],
    registers: [registry],
    async collect() {
      await bounded.counter(this, 'bud_deployment_cost_usd_total', () => queries.deploymentCost());
    },
  });
  new Gauge({
    name: 'bud_deployment_cost_per_hour_usd',
    help: "A use-case deployment's current cost rate: the estimated $/hour of its jobs that hold resources now",
    labelNames: ['deployment_id', 'tenant_id'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_deployment_cost_per_hour_usd', () => queries.deploymentCostPerHour());
    },
  });
  new Gauge({
    name: 'bud_tenant_gpus_in_use',
    help: "GPUs a tenant's admitted and running jobs hold (gpu_count × replicas), per GPU type",
    labelNames: ['tenant_id', 'gpu_type'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_tenant_gpus_in_use', () => queries.tenantGpusInUse());
    },
  });
  new Gauge({
    name: 'bud_budget_used_ratio',
    help: "A budget's month-to-date spend divided by its monthly amount (1 = spent); project_id is empty for a tenant's budget",
    labelNames: ['budget_id', 'tenant_id', 'project_id'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_budget_used_ratio', () => queries.budgetUsedRatio(new Date(clock.now())));
    },
  });
  new Gauge({
    name: 'bud_cluster_reachable',
    help: "1 when budcluster's probe reaches the cluster's API server (status ready), 0 while connecting or unreachable",
    labelNames: ['cluster_id'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_cluster_reachable', () => queries.clusterReachable());
    },
  });
  // Ready and desired come from one query; a scrape collects both families at once, so they share it.
  let replicas: ReturnType<MeteringMetricsQueries['componentReplicas']> | undefined;
  const readReplicas = (): ReturnType<MeteringMetricsQueries['componentReplicas']> =>
    (replicas ??= queries.componentReplicas().finally(() => (replicas = undefined)));
  new Gauge({
    name: 'bud_component_replicas_ready',
    help: "Ready replicas of a use-case component's unfinished jobs, as the cluster reports them",
    labelNames: ['deployment_id', 'component'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_component_replicas_ready', async () => (await readReplicas()).ready);
    },
  });
  new Gauge({
    name: 'bud_component_replicas_desired',
    help: "Replicas a use-case component's unfinished jobs ask for",
    labelNames: ['deployment_id', 'component'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_component_replicas_desired', async () => (await readReplicas()).desired);
    },
  });
}
