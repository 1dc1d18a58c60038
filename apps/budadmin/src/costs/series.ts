import type { BudgetResponse, UsageRow } from '@bud/contracts';
import { decimalOf, microsOf, plotValue } from './money';

export type Metric = 'cost' | 'gpu_hours';

/** One chart row per time bucket: `period` (its label) and a value per series key. */
export type ChartRow = { period: string } & Record<string, number | string>;

export interface StackedSeries {
  rows: ChartRow[];
  /** Series in stacking order, the largest first; at most `limit`, the rest summed into OTHER. */
  keys: string[];
}

export const OTHER = 'other';
export const NONE = '(none)';

/** `2026-11-03T00:00:00.000Z` → `2026-11-03`; hours keep their time. */
export function periodLabel(periodStart: string, groupBy: 'hour' | 'day' | 'month'): string {
  if (groupBy === 'month') return periodStart.slice(0, 7);
  if (groupBy === 'day') return periodStart.slice(0, 10);
  return `${periodStart.slice(0, 10)} ${periodStart.slice(11, 16)}`;
}

/**
 * Usage rows (bucket × key) as stacked chart rows. Totals per key are summed exactly to rank the series;
 * the `limit` largest keep their own series, the rest become one `other` series so the legend stays readable.
 */
export function stackRows(
  items: readonly UsageRow[],
  metric: Metric,
  groupBy: 'hour' | 'day' | 'month',
  labelOf: (key: string | null) => string,
  limit = 8,
): StackedSeries {
  const totals = new Map<string, bigint>();
  for (const row of items) {
    const label = labelOf(row.key);
    totals.set(label, (totals.get(label) ?? 0n) + microsOf(row[metric]));
  }
  const ranked = [...totals.entries()]
    .filter(([, total]) => total > 0n)
    .sort((a, b) => (a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1] > b[1] ? -1 : 1))
    .map(([label]) => label);
  const kept = new Set(ranked.length > limit ? ranked.slice(0, limit - 1) : ranked);
  const keys = ranked.length > limit ? [...kept, OTHER] : ranked;
  const buckets = new Map<string, Map<string, bigint>>();
  for (const row of items) {
    const period = periodLabel(row.period_start, groupBy);
    const label = labelOf(row.key);
    const series = kept.has(label) ? label : OTHER;
    if (!keys.includes(series)) continue;
    const bucket = buckets.get(period) ?? new Map<string, bigint>();
    bucket.set(series, (bucket.get(series) ?? 0n) + microsOf(row[metric]));
    buckets.set(period, bucket);
  }
  const rows = [...buckets.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([period, values]) => {
      const row: ChartRow = { period };
      for (const key of keys) row[key] = plotValue(decimalOf(values.get(key) ?? 0n));
      return row;
    });
  return { rows, keys };
}

export interface BurnPoint {
  day: string;
  /** Spent so far this month, through the end of this day (days still to come: absent). */
  spent?: number;
  /** The straight line from today's spend to the budget's projected month-end spend. */
  projected?: number;
  budget: number;
}

/**
 * A budget's month as a burn chart: cumulative spend per UTC day from the month's usage rows, then the
 * projection from today to the last day, ending at the API's `projected_month_end`; the budget as a flat line.
 */
export function burnSeries(budget: BudgetResponse, dayRows: readonly UsageRow[], now: Date): BurnPoint[] {
  const [year, month] = budget.period.split('-').map(Number);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const perDay = new Map<string, bigint>();
  for (const row of dayRows) {
    const day = row.period_start.slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0n) + microsOf(row.cost));
  }
  const today = now.toISOString().slice(0, 10);
  const amount = plotValue(budget.monthly_amount);
  const points: BurnPoint[] = [];
  let cumulative = 0n;
  let todayIndex = -1;
  for (let d = 1; d <= days; d++) {
    const day = `${budget.period}-${String(d).padStart(2, '0')}`;
    const point: BurnPoint = { day, budget: amount };
    if (day <= today) {
      cumulative += perDay.get(day) ?? 0n;
      point.spent = plotValue(decimalOf(cumulative));
    }
    if (day === today) todayIndex = d - 1;
    points.push(point);
  }
  if (todayIndex >= 0) {
    // The API's spent may run a tick ahead of the day rows: start the projection from the larger of the two.
    const start = Math.max(points[todayIndex].spent ?? 0, plotValue(budget.spent));
    const end = Math.max(start, plotValue(budget.projected_month_end));
    const span = days - 1 - todayIndex;
    for (let i = todayIndex; i < days; i++) points[i].projected = span === 0 ? end : start + ((end - start) * (i - todayIndex)) / span;
  }
  return points;
}

/** The highest threshold a budget crossed this month, or null. */
export function highestCrossed(budget: BudgetResponse): number | null {
  return budget.crossed.length === 0 ? null : Math.max(...budget.crossed);
}
