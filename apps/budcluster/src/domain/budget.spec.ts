import type { BudgetStanding } from './budget';
import {
  budgetVerdict,
  formatMicros,
  monthOf,
  normalThresholds,
  projectedNewMicros,
  reachedThresholds,
  restOfMonthMicros,
  usdMicros,
  usedRatio,
} from './budget';

const usd = (micros: bigint) => formatMicros(micros);
const standing = (overrides: Partial<BudgetStanding> = {}): BudgetStanding => ({
  budgetId: '00000000-0000-4000-8000-0000000000b1',
  projectId: null,
  action: 'block_new',
  amount: usdMicros('100'),
  spent: 0n,
  runningPerHour: 0n,
  ...overrides,
});

describe('budget months', () => {
  it.each([
    ['2026-11-29T07:00:00.000Z', '2026-11', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00.000Z', '2028-02', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
  ])('%s is in %s', (at, period, start, end) => {
    const month = monthOf(new Date(at));
    expect([month.period, month.start.toISOString(), month.end.toISOString()]).toEqual([period, start, end]);
  });

  it.each([
    ['$2/h for the last 12 hours', '2.000000', '2026-10-31T12:00:00.000Z', '24.000000'],
    ['$1/h for the last 90 seconds, rounded half up', '1.000000', '2026-10-31T23:58:30.000Z', '0.025000'],
    ['$0.000001/h for half an hour rounds half up to a micro-dollar', '0.000001', '2026-10-31T23:30:00.000Z', '0.000001'],
    ['a whole 30-day month at its first instant', '5.000000', '2026-11-01T00:00:00.000Z', '3600.000000'],
  ])('rest of month: %s', (_name, perHour, now, expected) => {
    expect(usd(restOfMonthMicros(usdMicros(perHour), new Date(now)))).toBe(expected);
  });

  it('new work bounded by its max runtime projects its whole estimated cost when that is lower', () => {
    const now = new Date('2026-10-31T12:00:00.000Z');
    expect(usd(projectedNewMicros(usdMicros('2'), now, usdMicros('2')))).toBe('2.000000');
    expect(usd(projectedNewMicros(usdMicros('2'), now, usdMicros('100')))).toBe('24.000000');
  });
});

describe('budget money', () => {
  it.each([
    ['12.5', 12_500_000n],
    ['-3.000001', -3_000_001n],
    ['7', 7_000_000n],
    ['0.1234567', 123_456n],
    ['123456789012.000000', 123_456_789_012_000_000n],
  ])('%s is %s micro-dollars', (text, micros) => {
    expect(usdMicros(text)).toBe(micros);
  });
  it('formats negatives and fractions with six places', () => {
    expect(usd(-1_500_000n)).toBe('-1.500000');
    expect(usd(1n)).toBe('0.000001');
  });
});

describe('budget thresholds', () => {
  it('always include 100, sorted and unique', () => {
    expect(normalThresholds([120, 50, 50])).toEqual([50, 100, 120]);
    expect(normalThresholds([100])).toEqual([100]);
  });
  it.each([
    ['nothing spent', '0', '100', []],
    ['one micro-dollar short of 80%', '79.999999', '100', [50]],
    ['exactly 80%', '80', '100', [50, 80]],
    ['over the amount', '150', '100', [50, 80, 100]],
    ['a zero budget is crossed at once', '0', '0', [50, 80, 100]],
  ])('%s', (_name, spent, amount, expected) => {
    expect(reachedThresholds([50, 80, 100], usdMicros(spent), usdMicros(amount))).toEqual(expected);
  });
  it('used ratio', () => {
    expect(usedRatio(usdMicros('60'), usdMicros('100'))).toBe(0.6);
    expect(usedRatio(0n, 0n)).toBe(0);
  });
});

describe('budget verdict', () => {
  const now = new Date('2026-10-31T12:00:00.000Z');

  it('block_new refuses work whose rest-of-month cost, with the running work’s, passes what remains', () => {
    const verdict = budgetVerdict([standing({ spent: usdMicros('70'), runningPerHour: usdMicros('1') })], usdMicros('24'), now);
    // remaining 30; running work 12 more; new 24: 36 > 30 by 6.
    expect(verdict).toEqual({
      admits: false,
      budgets: [
        {
          budget_id: standing().budgetId,
          project_id: null,
          action: 'block_new',
          remaining: '30.000000',
          projected_month_end: '82.000000',
          projected_new: '24.000000',
          over_by: '6.000000',
        },
      ],
      message: expect.stringMatching(/^over budget by \$6\.000000: projected rest-of-month cost \$36\.000000 .* > remaining \$30\.000000/),
    });
  });

  it('admits work that exactly fits, and work that costs nothing even over budget', () => {
    expect(budgetVerdict([standing({ spent: usdMicros('76') })], usdMicros('24'), now)).toMatchObject({
      admits: true,
      message: 'within budget',
    });
    expect(budgetVerdict([standing({ spent: usdMicros('500') })], 0n, now).admits).toBe(true);
  });

  it('notify and stop budgets report the overrun but never refuse; no budget at all says so', () => {
    const over = budgetVerdict(
      [standing({ action: 'notify', spent: usdMicros('99') }), standing({ action: 'stop' })],
      usdMicros('24'),
      now,
    );
    expect(over.admits).toBe(true);
    expect(over.budgets.map((b) => b.over_by)).toEqual(['23.000000', null]);
    expect(over.message).toBe('over budget, but no budget covering this work blocks new work');
    expect(budgetVerdict([], usdMicros('24'), now)).toEqual({ admits: true, budgets: [], message: 'no budget covers this work' });
  });

  it('a stop budget whose month reached 100% refuses new work, saying why; below 100% it only reports', () => {
    const spentOut = budgetVerdict([standing({ action: 'stop', spent: usdMicros('100') })], usdMicros('1'), now);
    expect(spentOut.admits).toBe(false);
    expect(spentOut.message).toMatch(/^over budget by \$1\.000000: .*a stop budget at 100% refuses new work/);
    expect(budgetVerdict([standing({ action: 'stop', spent: usdMicros('99.999999') })], usdMicros('1'), now).admits).toBe(true);
    expect(budgetVerdict([standing({ action: 'stop', spent: usdMicros('100') })], 0n, now).admits).toBe(true);
  });

  it('names the budget over by the most when a tenant and a project budget both refuse', () => {
    const projectId = '00000000-0000-4000-8000-0000000000a1';
    const verdict = budgetVerdict(
      [
        standing({ spent: usdMicros('90') }),
        standing({ budgetId: '00000000-0000-4000-8000-0000000000b2', projectId, amount: usdMicros('5') }),
      ],
      usdMicros('24'),
      now,
    );
    expect(verdict.admits).toBe(false);
    expect(verdict.message).toMatch(/^over budget by \$19\.000000: .* of the project .* budget 00000000-0000-4000-8000-0000000000b2$/);
  });
});
