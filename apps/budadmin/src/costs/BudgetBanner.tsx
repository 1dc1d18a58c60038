import { Alert } from 'antd';
import { Link } from 'react-router-dom';
import type { BudgetResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ACTION_TEXT, budgetSentence } from './budget-text';
import { highestCrossed } from './series';

/**
 * Shown on every page while a budget of the caller's tenant has crossed a threshold this month. A caller who
 * may not read budgets (no billing:view) or a budcluster without them sees nothing: the banner is a hint, not a page.
 */
export function BudgetBanner({ reloadKey }: { reloadKey?: unknown }) {
  const { data } = useRequest(() => api.budgets(), [reloadKey]);
  const crossed = (data ?? []).filter((b) => highestCrossed(b) !== null);
  if (crossed.length === 0) return null;
  return (
    <div data-testid="budget-banner" style={{ display: 'grid', gap: 8, marginBottom: 16 }}>
      {crossed.map((budget) => (
        <BudgetAlert key={budget.id} budget={budget} />
      ))}
    </div>
  );
}

function BudgetAlert({ budget }: { budget: BudgetResponse }) {
  const threshold = highestCrossed(budget)!;
  const over = threshold >= 100;
  return (
    <Alert
      type={over ? 'error' : 'warning'}
      showIcon
      data-threshold={threshold}
      message={`Budget threshold ${threshold}% crossed`}
      description={
        <span>
          {budgetSentence(budget)}
          {over && budget.action !== 'notify' ? ` At 100% this budget's action is: ${ACTION_TEXT[budget.action]}.` : ''}{' '}
          <Link to="/costs">See costs</Link>
        </span>
      }
    />
  );
}
