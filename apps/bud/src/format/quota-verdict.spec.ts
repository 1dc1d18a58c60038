import type { DeploymentPlan } from '@bud/contracts';
import { renderPlan } from './plan';

const plan = (capacity: DeploymentPlan['capacity']): DeploymentPlan => ({
  template_id: 'simple-rag-v1',
  template_version: '1.0.0',
  parameters: {},
  waves: [],
  skipped: [],
  total: { components: 1, gpus: { 'H100-80GB': 2 }, estimated_cost_per_hour: '9.000000' },
  capacity,
});
const fits = { admits: true, gpus: [{ gpu_type: 'H100-80GB', requested: 2, free: 8, sufficient: true }], message: 'enough free GPUs' };

describe("the dry-run's quota line", () => {
  it.each([
    ['runs_now', 'runs now'],
    ['queues', 'queues'],
    ['never_fits', 'NEVER fits'],
  ] as const)('shows %s as "%s" with the message', (outcome, shown) => {
    const text = renderPlan(plan({ ...fits, quota: { outcome, message: 'the numbers' } }), { name: 'rag', cluster: 'local' });
    expect(text).toMatch(new RegExp(`^Quota:\\s+${shown}: the numbers$`, 'm'));
  });

  it('is absent when budcluster reported no quota', () => {
    expect(renderPlan(plan(fits), { name: 'rag', cluster: 'local' })).not.toMatch(/^Quota:/m);
  });
});
