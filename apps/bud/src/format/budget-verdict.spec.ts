import type { BudgetVerdict, DeploymentPlan } from '@bud/contracts';
import { renderPlan } from './plan';

const plan = (budget?: BudgetVerdict): DeploymentPlan => ({
  template_id: 'simple-rag-v1',
  template_version: '1.0.0',
  parameters: {},
  waves: [],
  skipped: [],
  total: { components: 1, gpus: { 'H100-80GB': 2 }, estimated_cost_per_hour: '9.000000' },
  capacity: { admits: true, gpus: [], message: 'enough free GPUs' },
  ...(budget ? { budget } : {}),
});
const BUDGET = '55555555-5555-4555-8555-555555555555';

describe("the dry-run's budget lines", () => {
  it('says REFUSED and by how much when a block_new budget would be exceeded', () => {
    const text = renderPlan(
      plan({
        admits: false,
        message: 'over budget by $1,148.00: projected rest-of-month cost $1,548.00 > remaining $400.00',
        budgets: [
          {
            budget_id: BUDGET,
            project_id: null,
            action: 'block_new',
            remaining: '400.000000',
            projected_month_end: '1600.000000',
            projected_new: '1548.000000',
            over_by: '1148.000000',
          },
        ],
      }),
      { name: 'rag', cluster: 'local' },
    );
    expect(text).toMatch(/^Budget:\s+REFUSED: over budget by \$1,148\.00: projected rest-of-month cost/m);
    expect(text).toMatch(
      /^\s+tenant:\s+\$400\.00 remaining; projected month end \$1600\.00 before this work, which adds \$1548\.00; over by \$1148\.00 \(block new work at 100%\)$/m,
    );
  });

  it('says admitted, and a negative remaining reads as such', () => {
    const text = renderPlan(
      plan({
        admits: true,
        message: 'within budget',
        budgets: [
          {
            budget_id: BUDGET,
            project_id: '77777777-7777-4777-8777-777777777777',
            action: 'notify',
            remaining: '-5.000000',
            projected_month_end: '10.000000',
            projected_new: '1.000000',
            over_by: null,
          },
        ],
      }),
      { name: 'rag', cluster: 'local' },
    );
    expect(text).toMatch(/^Budget:\s+admitted: within budget$/m);
    expect(text).toMatch(/project 77777777-7777-4777-8777-777777777777:\s+-\$5\.00 remaining/);
  });

  it('is absent when the plan has no budget verdict (no budget covers it)', () => {
    expect(renderPlan(plan(), { name: 'rag', cluster: 'local' })).not.toMatch(/^Budget:/m);
  });
});
