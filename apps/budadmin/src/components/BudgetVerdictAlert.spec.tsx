/** @jest-environment jsdom */
import { render, screen } from '@testing-library/react';
import type { BudgetVerdict } from '@bud/contracts';
import { stubMatchMedia } from '../../test/support/match-media';
import { BudgetVerdictAlert } from './BudgetVerdictAlert';

beforeAll(() => {
  stubMatchMedia();
});

const line = (over: Partial<BudgetVerdict['budgets'][number]> = {}): BudgetVerdict['budgets'][number] => ({
  budget_id: '55555555-5555-4555-8555-555555555555',
  project_id: null,
  action: 'block_new',
  remaining: '400.000000',
  projected_month_end: '1600.000000',
  projected_new: '1548.000000',
  over_by: '1148.000000',
  ...over,
});

describe('BudgetVerdictAlert', () => {
  it('says the deployment would be refused, with the remaining budget, the projection and by how much', () => {
    render(<BudgetVerdictAlert verdict={{ admits: false, message: 'over budget by $1148.000000', budgets: [line()] }} />);
    const alert = screen.getByTestId('budget-verdict');
    expect(alert.getAttribute('data-admits')).toBe('false');
    expect(alert.textContent).toContain('Over budget: this deployment would be refused');
    expect(alert.textContent).toContain(
      'tenant budget: $400.00 remaining; projected month end $1,600.00 before this deployment, which adds $1,548.00; over by $1,148.00',
    );
  });

  it('admits within budget and shows a negative remaining as such', () => {
    render(
      <BudgetVerdictAlert
        verdict={{ admits: true, message: 'within budget', budgets: [line({ action: 'notify', remaining: '-5.000000', over_by: null })] }}
      />,
    );
    expect(screen.getByTestId('budget-verdict').textContent).toMatch(/Within what the budgets allow.*-\$5\.00 remaining/);
  });

  it('shows nothing without a verdict or without a covering budget', () => {
    const { container } = render(<BudgetVerdictAlert verdict={{ admits: true, message: 'no budget covers this work', budgets: [] }} />);
    expect(container.textContent).toBe('');
  });
});
