import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { jobStatuses } from '@bud/contracts';
import type { DriverRegistry } from '../drivers/driver-registry.service';
import type { JobRepository } from '../repositories/job.repository';

export { METRICS_REGISTRY } from '@bud/http';

/** Job counts by status, read from the database at scrape time so every replica reports the truth. */
export function registerJobMetrics(registry: Registry, jobs: JobRepository): void {
  new Gauge({
    name: 'bud_jobs',
    help: 'Jobs by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = new Map((await jobs.statusCounts()).map((row) => [row.status, row.n]));
      for (const status of jobStatuses) this.set({ status }, counts.get(status) ?? 0);
    },
  });
}

/**
 * Kubernetes API requests the drivers made (applies, deletes, lists, watch connections), read from the
 * drivers at scrape time: the `k8s.api_calls_per_job` target divides its growth by the jobs created.
 */
export function registerDriverMetrics(registry: Registry, drivers: DriverRegistry): void {
  new Counter({
    name: 'bud_kubernetes_api_requests_total',
    help: 'Kubernetes API requests made by the cluster drivers of this replica',
    registers: [registry],
    async collect() {
      this.reset();
      this.inc(await drivers.apiCalls());
    },
  });
  new Gauge({
    name: 'bud_cluster_owned',
    help: "Clusters this replica owns: only the owner runs a cluster's driver (watches, applies, resyncs, orphan sweeps)",
    labelNames: ['cluster_id'],
    registers: [registry],
    collect() {
      this.reset();
      for (const clusterId of drivers.ownedClusters()) this.set({ cluster_id: clusterId }, 1);
    },
  });
}
