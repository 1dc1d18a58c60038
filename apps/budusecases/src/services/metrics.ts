import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { boundedSeries } from '@bud/http';
import type { UsecaseMetricsQueries } from '../repositories/usecase-metrics.repository';

/** Registers budusecases' deployment metrics; each is read when Prometheus scrapes /metrics. */
export function registerUsecaseMetrics(registry: Registry, queries: UsecaseMetricsQueries): void {
  const bounded = boundedSeries(registry);
  new Gauge({
    name: 'bud_deployment_status',
    help: "A use-case deployment's current status (1; one series per deployment, status as a label)",
    labelNames: ['deployment_id', 'tenant_id', 'template', 'status'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_deployment_status', () => queries.deploymentStatus());
    },
  });
  new Gauge({
    name: 'bud_component_status',
    help: "A use-case component's current status (1; one series per component, status as a label)",
    labelNames: ['deployment_id', 'component', 'status'],
    registers: [registry],
    async collect() {
      await bounded.gauge(this, 'bud_component_status', () => queries.componentStatus());
    },
  });
}
