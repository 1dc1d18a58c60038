import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { jobStatuses } from '@bud/contracts';
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
