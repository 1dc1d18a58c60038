import type { BudgetResponse } from '@bud/contracts';
import { formatMoney } from './money';

/** "the tenant's budget" or "project 1234abcd's budget". */
export function budgetScope(budget: Pick<BudgetResponse, 'project_id'>): string {
  return budget.project_id ? `project ${budget.project_id.slice(0, 8)}` : 'tenant';
}

export const ACTION_TEXT = {
  notify: 'notify',
  block_new: 'block new work',
  stop: 'stop deployments',
} as const;

/** One sentence for the banner and the card: how much of the month's amount is gone and where it is heading. */
export function budgetSentence(budget: BudgetResponse): string {
  const percent = Math.floor(budget.used_ratio * 100);
  return (
    `${budgetScope(budget)} budget: ${percent}% used — ${formatMoney(budget.spent)} of ${formatMoney(budget.monthly_amount)} ` +
    `spent in ${budget.period}, ${formatMoney(budget.remaining)} left; projected month end ${formatMoney(budget.projected_month_end)}.`
  );
}
