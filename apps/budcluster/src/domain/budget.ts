import type { BudgetAction, BudgetVerdict } from '@bud/contracts';

/**
 * docs/design.md#budgets, the pure part: money in micro-dollars as bigint (never floats), months in UTC. A budget's
 * month runs from the first instant of a calendar month to the first of the next; its period is `YYYY-MM`.
 */

const MICROS_PER_USD = 1_000_000n;
const MS_PER_HOUR = 3_600_000n;

export interface Month {
  period: string;
  start: Date;
  end: Date;
}

export function monthOf(at: Date): Month {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { period: `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`, start, end };
}

/** A decimal USD string (`12.5`, `-3.000001`, `7`) as micro-dollars; more than six places are cut (SQL sums have six). */
export function usdMicros(usd: string): bigint {
  const negative = usd.startsWith('-');
  const [whole = '0', fraction = ''] = usd.replace(/^[-+]/, '').split('.');
  const micros = BigInt(whole || '0') * MICROS_PER_USD + BigInt(fraction.padEnd(6, '0').slice(0, 6));
  return negative ? -micros : micros;
}

export function formatMicros(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  return `${sign}${abs / MICROS_PER_USD}.${String(abs % MICROS_PER_USD).padStart(6, '0')}`;
}

/** What `perHour` costs from `now` to the end of its month, rounded half up to the micro-dollar. */
export function restOfMonthMicros(perHour: bigint, now: Date): bigint {
  const left = BigInt(Math.max(0, monthOf(now).end.getTime() - now.getTime()));
  return (perHour * left * 2n + MS_PER_HOUR) / (2n * MS_PER_HOUR);
}

/**
 * What new work would cost for the rest of the month: its rate × the hours left, or its whole estimated cost when its
 * max runtime bounds it lower.
 */
export function projectedNewMicros(perHour: bigint, now: Date, boundedTotal: bigint | null = null): bigint {
  const rest = restOfMonthMicros(perHour, now);
  return boundedTotal !== null && boundedTotal < rest ? boundedTotal : rest;
}

/** Thresholds are percents of the monthly amount; 100 is always one of them. Sorted, unique. */
export function normalThresholds(thresholds: readonly number[]): number[] {
  return [...new Set([...thresholds, 100])].sort((a, b) => a - b);
}

/** The thresholds `spent` has reached: spent ≥ amount × t / 100 (exact; a zero budget is crossed at once). */
export function reachedThresholds(thresholds: readonly number[], spent: bigint, amount: bigint): number[] {
  return thresholds.filter((t) => spent * 100n >= amount * BigInt(t));
}

/** spent ÷ amount as a number for display and metrics (0 for a zero amount with nothing spent, else Infinity-safe). */
export function usedRatio(spent: bigint, amount: bigint): number {
  if (amount <= 0n) return spent > 0n ? 1e9 : 0;
  // Six decimals of precision are plenty for a ratio; the exact comparisons use bigint above.
  return Number((spent * 1_000_000n) / amount) / 1_000_000;
}

/** A budget as the verdict needs it: its amount and action, and its scope's month so far. */
export interface BudgetStanding {
  budgetId: string;
  projectId: string | null;
  action: BudgetAction;
  amount: bigint;
  spent: bigint;
  /** What the scope's holding jobs cost per hour now. */
  runningPerHour: bigint;
}

/** The actions that can refuse new work: `block_new` when it would not fit, `stop` once the month's spend reached 100%. */
export const NEW_WORK_REFUSING_ACTIONS: readonly BudgetAction[] = ['block_new', 'stop'];

export function refusesNewWork(action: BudgetAction): boolean {
  return NEW_WORK_REFUSING_ACTIONS.includes(action);
}

/**
 * What new work (its rest-of-month cost `projectedNew`) does to the budgets covering it. A `block_new` budget refuses
 * it when the scope's projected month end (spent + running work to the month's end) plus the new work passes the
 * amount. A `stop` budget whose month's spend reached its amount refuses it too (its 100% event stopped the scope's
 * deployments; starting them again must not run the rest of the month). Work that costs nothing is never refused.
 * `notify` only reports.
 */
export function budgetVerdict(standings: readonly BudgetStanding[], projectedNew: bigint, now: Date): BudgetVerdict {
  const rows = standings.map((s) => {
    const runningRest = restOfMonthMicros(s.runningPerHour, now);
    const projectedMonthEnd = s.spent + runningRest;
    const remaining = s.amount - s.spent;
    const over = projectedMonthEnd + projectedNew - s.amount;
    const stopped = s.action === 'stop' && s.spent >= s.amount;
    return { standing: s, runningRest, remaining, projectedMonthEnd, over, stopped };
  });
  const refusing = rows.filter((r) => projectedNew > 0n && ((r.standing.action === 'block_new' && r.over > 0n) || r.stopped));
  const worst = refusing.sort((a, b) => (b.over > a.over ? 1 : b.over < a.over ? -1 : 0))[0];
  const message = worst
    ? `over budget by $${formatMicros(worst.over)}: projected rest-of-month cost $${formatMicros(projectedNew + worst.runningRest)} ` +
      `(this work $${formatMicros(projectedNew)}, running work $${formatMicros(worst.runningRest)}) > remaining ` +
      `$${formatMicros(worst.remaining)} of the ${scopeName(worst.standing.projectId)} budget ${worst.standing.budgetId}` +
      (worst.stopped ? ' (a stop budget at 100% refuses new work until next month or a higher amount)' : '')
    : rows.length === 0
      ? 'no budget covers this work'
      : rows.some((r) => r.over > 0n)
        ? 'over budget, but no budget covering this work blocks new work'
        : 'within budget';
  return {
    admits: !worst,
    budgets: rows.map((r) => ({
      budget_id: r.standing.budgetId,
      project_id: r.standing.projectId,
      action: r.standing.action,
      remaining: formatMicros(r.remaining),
      projected_month_end: formatMicros(r.projectedMonthEnd),
      projected_new: formatMicros(projectedNew),
      over_by: r.over > 0n ? formatMicros(r.over) : null,
    })),
    message,
  };
}

export function scopeName(projectId: string | null): string {
  return projectId ? `project ${projectId}` : 'tenant';
}
