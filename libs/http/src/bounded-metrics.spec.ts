import { Gauge, Registry } from 'prom-client';
import { BoundedSeries, boundedSeries } from './bounded-metrics';
import type { BoundedRows } from './bounded-metrics';

/** The value of the sample `name{labels}` (labels as exposed, in order), undefined when absent. */
function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const prefix = `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

const rows = (...ids: string[]): BoundedRows<'id'> => ({ rows: ids.map((id, i) => ({ labels: { id }, value: i + 1 })), total: ids.length });

/** A registry with one capped gauge whose rows come from `load`, the capped-series helper made before or after it. */
function setUp(load: () => Promise<BoundedRows<'id'>>, options: { cap?: number; helperFirst?: boolean } = {}): Registry {
  const registry = new Registry();
  let bounded = options.helperFirst ? new BoundedSeries(registry, options.cap) : undefined;
  new Gauge({
    name: 'bud_things',
    help: 'things',
    labelNames: ['id'],
    registers: [registry],
    async collect() {
      await (bounded ??= new BoundedSeries(registry, options.cap)).gauge(this, 'bud_things', load);
    },
  });
  return registry;
}

describe('BoundedSeries', () => {
  it('caps a family and counts the rest in the same scrape, whichever was registered first', async () => {
    for (const helperFirst of [true, false]) {
      const registry = setUp(async () => rows('a', 'b', 'c'), { cap: 2, helperFirst });
      // The helper's counter must exist before the first scrape for the order to matter.
      if (!helperFirst) await registry.metrics();
      const text = await registry.metrics();
      expect(text.split('\n').filter((l) => l.startsWith('bud_things{'))).toEqual(['bud_things{id="a"} 1', 'bud_things{id="b"} 2']);
      expect(metricValue(text, 'bud_metrics_series_dropped_total', { metric: 'bud_things' })).toBe(helperFirst ? 1 : 2);
    }
  });

  it('counts the rows a query left out (its LIMIT) as dropped too, and 0 while nothing is', async () => {
    let result = { rows: rows('a').rows, total: 4 };
    const registry = setUp(async () => result, { helperFirst: true });
    expect(metricValue(await registry.metrics(), 'bud_metrics_series_dropped_total', { metric: 'bud_things' })).toBe(3);
    result = rows('a');
    expect(metricValue(await registry.metrics(), 'bud_metrics_series_dropped_total', { metric: 'bud_things' })).toBe(3);
  });

  it('drops the series of objects that are gone by the next scrape', async () => {
    let ids = ['a', 'b'];
    const registry = setUp(async () => rows(...ids), { helperFirst: true });
    expect(metricValue(await registry.metrics(), 'bud_things', { id: 'b' })).toBe(2);
    ids = ['a'];
    const text = await registry.metrics();
    expect(metricValue(text, 'bud_things', { id: 'a' })).toBe(1);
    expect(metricValue(text, 'bud_things', { id: 'b' })).toBeUndefined();
  });

  it('is one per registry', () => {
    const registry = new Registry();
    expect(boundedSeries(registry)).toBe(boundedSeries(registry));
    expect(registry.getSingleMetric('bud_metrics_series_dropped_total')).toBeDefined();
  });
});
