import { Alert } from 'antd';
import type { BudgetVerdict } from '@bud/contracts';
import { budgetScope } from '../costs/budget-text';
import { formatMoney } from '../costs/money';

/** The dry-run's budget verdict (docs/design.md#budgets): each covering budget's remaining and projection; none: nothing. */
export function BudgetVerdictAlert({ verdict }: { verdict: BudgetVerdict | undefined }) {
  if (!verdict || verdict.budgets.length === 0) return null;
  const over = verdict.budgets.some((b) => b.over_by !== null);
  return (
    <Alert
      type={!verdict.admits ? 'error' : over ? 'warning' : 'info'}
      showIcon
      data-testid="budget-verdict"
      data-admits={String(verdict.admits)}
      message={verdict.admits ? 'Within what the budgets allow' : 'Over budget: this deployment would be refused'}
      description={
        <div>
          <div>{verdict.message}</div>
          <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
            {verdict.budgets.map((b) => (
              <li key={b.budget_id}>
                {budgetScope(b)} budget: {formatMoney(b.remaining)} remaining; projected month end {formatMoney(b.projected_month_end)}{' '}
                before this deployment, which adds {formatMoney(b.projected_new)}
                {b.over_by !== null ? `; over by ${formatMoney(b.over_by)}` : ''}
              </li>
            ))}
          </ul>
        </div>
      }
    />
  );
}
