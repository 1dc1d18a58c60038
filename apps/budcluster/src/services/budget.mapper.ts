import type { BudgetResponse } from '@bud/contracts';
import type { Month } from '../domain/budget';
import { formatMicros, restOfMonthMicros, usdMicros, usedRatio } from '../domain/budget';
import type { BudgetRow } from '../repositories/budget.repository';

export interface BudgetStandingNow {
  month: Month;
  now: Date;
  /** The month's metered spend of the budget's scope, decimal USD. */
  spent: string;
  /** What the scope's holding jobs cost per hour now, decimal USD. */
  runningPerHour: string;
  crossed: number[];
}

export function toBudgetResponse(row: BudgetRow, standing: BudgetStandingNow): BudgetResponse {
  const amount = usdMicros(row.monthlyAmount);
  const spent = usdMicros(standing.spent);
  return {
    id: row.id,
    tenant_id: row.tenantId,
    project_id: row.projectId,
    monthly_amount: formatMicros(amount),
    thresholds: row.thresholds,
    action: row.action,
    period: standing.month.period,
    spent: formatMicros(spent),
    remaining: formatMicros(amount - spent),
    projected_month_end: formatMicros(spent + restOfMonthMicros(usdMicros(standing.runningPerHour), standing.now)),
    used_ratio: usedRatio(spent, amount),
    crossed: standing.crossed,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  };
}
