import type { BudgetResponse, UsageRow } from '@bud/contracts';
import { decimalOf, formatMoney, microsOf } from './money';
import { OTHER, burnSeries, highestCrossed, stackRows } from './series';

const row = (day: string, key: string | null, cost: string, gpuHours = '0.000000'): UsageRow => ({
  period_start: `${day}T00:00:00.000Z`,
  key,
  cost,
  gpu_hours: gpuHours,
  vcpu_hours: '0.000000',
  memory_gib_hours: '0.000000',
});

describe('money', () => {
  it.each([
    ['0.000000', '$0.00'],
    ['1234.565000', '$1,234.57'],
    ['1234.564999', '$1,234.56'],
    ['0.004500', '$0.0045'],
    ['0.000001', '$0.000001'],
    ['-12.500000', '-$12.50'],
    ['1000000.000000', '$1,000,000.00'],
  ])('formats %s as %s (half up to the cent, sub-cent amounts keep their digits)', (decimal, shown) => {
    expect(formatMoney(decimal)).toBe(shown);
  });

  it('adds amounts exactly: 0.1 + 0.2 is 0.3 to the micro-dollar', () => {
    expect(decimalOf(microsOf('0.100000') + microsOf('0.200000'))).toBe('0.300000');
    expect(decimalOf(microsOf('-0.000001'))).toBe('-0.000001');
  });

  it('refuses what is not a decimal amount', () => {
    expect(() => microsOf('1e3')).toThrow(/not a decimal/);
  });
});

describe('stackRows', () => {
  const names = (key: string | null) => key ?? '(none)';

  it('makes one chart row per day with a value per series, largest series first', () => {
    const { rows, keys } = stackRows(
      [row('2026-11-02', 'b', '1.000000'), row('2026-11-01', 'a', '0.500000'), row('2026-11-02', 'a', '2.000000')],
      'cost',
      'day',
      names,
    );
    expect(keys).toEqual(['a', 'b']);
    expect(rows).toEqual([
      { period: '2026-11-01', a: 0.5, b: 0 },
      { period: '2026-11-02', a: 2, b: 1 },
    ]);
  });

  it('sums the series past the limit into "other", exactly', () => {
    const items = ['a', 'b', 'c', 'd'].map((k, i) => row('2026-11-01', k, `${4 - i}.100000`));
    const { rows, keys } = stackRows(items, 'cost', 'day', names, 3);
    expect(keys).toEqual(['a', 'b', OTHER]);
    expect(rows[0][OTHER]).toBe(3.2);
  });

  it('leaves out series that cost nothing, and reads GPU-hours when asked', () => {
    const { keys, rows } = stackRows(
      [row('2026-11-01', 'H100-80GB', '9.000000', '2.500000'), row('2026-11-01', null, '0.100000')],
      'gpu_hours',
      'day',
      names,
    );
    expect(keys).toEqual(['H100-80GB']);
    expect(rows).toEqual([{ period: '2026-11-01', 'H100-80GB': 2.5 }]);
  });
});

const budget = (over: Partial<BudgetResponse> = {}): BudgetResponse => ({
  id: '55555555-5555-4555-8555-555555555555',
  tenant_id: '00000000-0000-4000-8000-000000000000',
  project_id: null,
  monthly_amount: '100.000000',
  thresholds: [80, 100],
  action: 'notify',
  period: '2026-11',
  spent: '30.000000',
  remaining: '70.000000',
  projected_month_end: '90.000000',
  used_ratio: 0.3,
  crossed: [],
  created_at: '2026-11-01T00:00:00.000Z',
  updated_at: '2026-11-01T00:00:00.000Z',
  version: 1,
  ...over,
});

describe('burnSeries', () => {
  it('accumulates the days so far and draws the projection from today to the projected month end', () => {
    const points = burnSeries(
      budget(),
      [row('2026-11-01', null, '10.000000'), row('2026-11-02', 'p', '5.000000'), row('2026-11-02', null, '15.000000')],
      new Date('2026-11-02T12:00:00Z'),
    );
    expect(points).toHaveLength(30);
    expect(points[0]).toMatchObject({ day: '2026-11-01', spent: 10, budget: 100 });
    expect(points[0].projected).toBeUndefined();
    expect(points[1]).toMatchObject({ day: '2026-11-02', spent: 30, projected: 30 });
    expect(points[2].spent).toBeUndefined();
    expect(points[29]).toMatchObject({ day: '2026-11-30', projected: 90 });
  });

  it('projects flat when the projection is below what is already spent', () => {
    const points = burnSeries(
      budget({ projected_month_end: '0.000000' }),
      [row('2026-11-01', null, '30.000000')],
      new Date('2026-11-01T01:00:00Z'),
    );
    expect(points[29].projected).toBe(30);
  });
});

describe('highestCrossed', () => {
  it('is the largest crossed threshold, or null', () => {
    expect(highestCrossed(budget())).toBeNull();
    expect(highestCrossed(budget({ crossed: [80, 100] }))).toBe(100);
  });
});
