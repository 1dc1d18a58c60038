import { Counter } from 'prom-client';
import type { Gauge, Registry } from 'prom-client';

/**
 * Most series one metric family exports per scrape. Metrics labelled by deployment, budget or cluster id have one
 * series per live object (docs/operations.md#metrics-and-alerts): bounded by what exists, and capped here so a
 * runaway table cannot flood Prometheus. The queries return the rows that matter most first (failed before running,
 * dearest first), so the cap drops the least interesting series.
 */
export const METRIC_SERIES_CAP = 5000;

export const SERIES_DROPPED_METRIC = 'bud_metrics_series_dropped_total';

/** A query's first `cap` rows (label set → value) and how many rows there were in all. */
export interface BoundedRows<L extends string> {
  rows: Array<{ labels: Record<L, string>; value: number }>;
  total: number;
}

/**
 * Sets capped metric families at scrape time and counts what the cap leaves out in
 * `bud_metrics_series_dropped_total{metric}`. One per registry (boundedSeries()).
 */
export class BoundedSeries {
  private readonly collecting = new Set<Promise<unknown>>();

  constructor(
    registry: Registry,
    private readonly cap = METRIC_SERIES_CAP,
  ) {
    const collecting = this.collecting;
    this.dropped = new Counter({
      name: SERIES_DROPPED_METRIC,
      help: `Series left out of /metrics because a metric had more than ${cap} label sets, summed over scrapes`,
      labelNames: ['metric'],
      registers: [registry],
      // A scrape starts every family's collect() before any finishes: yield once so the capped families of this
      // scrape have started, then wait for them, so this scrape's drops are in this scrape's answer.
      async collect() {
        await Promise.resolve();
        await Promise.allSettled([...collecting]);
      },
    });
  }

  private readonly dropped: Counter<'metric'>;

  /** Replaces the gauge's series by the loaded rows (objects gone since disappear) and counts the rows past the cap. */
  async gauge<L extends string>(metric: Gauge<L>, name: string, load: () => Promise<BoundedRows<L>>): Promise<void> {
    const result = await this.track(load());
    metric.reset();
    for (const row of result.rows.slice(0, this.cap)) metric.set(row.labels, row.value);
    this.countDropped(name, result);
  }

  /** The same for a counter whose value is a running total the database keeps (accrued cost). */
  async counter<L extends string>(metric: Counter<L>, name: string, load: () => Promise<BoundedRows<L>>): Promise<void> {
    const result = await this.track(load());
    metric.reset();
    for (const row of result.rows.slice(0, this.cap)) metric.inc(row.labels, row.value);
    this.countDropped(name, result);
  }

  private countDropped(name: string, result: BoundedRows<string>): void {
    // Always touched, so a rate over it is 0 (not absent) while nothing is dropped.
    // Rows the query left out (its LIMIT) and rows past this cap are both dropped.
    this.dropped.inc({ metric: name }, Math.max(0, result.total - Math.min(result.rows.length, this.cap)));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.collecting.add(promise);
    const done = () => this.collecting.delete(promise);
    promise.then(done, done);
    return promise;
  }
}

const perRegistry = new WeakMap<Registry, BoundedSeries>();

/** The registry's BoundedSeries (and its dropped counter), made on first use. */
export function boundedSeries(registry: Registry): BoundedSeries {
  let series = perRegistry.get(registry);
  if (!series) perRegistry.set(registry, (series = new BoundedSeries(registry)));
  return series;
}
