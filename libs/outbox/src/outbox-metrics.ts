import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Clock } from '@bud/ports';

/**
 * The event outbox's backlog, read at scrape time from the service's own `outbox` table (served by the
 * outbox_unpublished partial index): unpublished rows, and how long the oldest has waited by the injected clock.
 * The `BudOutboxBacklogGrowing` alert (deploy/monitoring/) fires when the first grows while the second passes 5 min.
 */
export function registerOutboxMetrics(registry: Registry, db: DataSource, clock: Clock): void {
  let pending: Promise<{ backlog: number; oldestAgeSeconds: number }> | undefined;
  // Both gauges come from one query; a scrape collects them together, so they share it.
  const read = (): Promise<{ backlog: number; oldestAgeSeconds: number }> =>
    (pending ??= (async () => {
      try {
        const [row] = await db.query<Array<{ backlog: number; oldest: Date | null }>>(
          `SELECT count(*)::int AS backlog, min(created_at) AS oldest FROM outbox WHERE published_at IS NULL`,
        );
        const oldest = row?.oldest ? new Date(row.oldest).getTime() : undefined;
        return {
          backlog: row?.backlog ?? 0,
          oldestAgeSeconds: oldest === undefined ? 0 : Math.max(0, (clock.now() - oldest) / 1000),
        };
      } finally {
        pending = undefined;
      }
    })());
  new Gauge({
    name: 'bud_outbox_backlog',
    help: 'Events in the outbox not yet published',
    registers: [registry],
    async collect() {
      this.set((await read()).backlog);
    },
  });
  new Gauge({
    name: 'bud_outbox_oldest_age_seconds',
    help: 'How long the oldest unpublished outbox event has waited (0 when none waits)',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestAgeSeconds);
    },
  });
}
