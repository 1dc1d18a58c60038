import type { DeploymentPlan } from '@bud/contracts';
import { contractLines, renderPlan } from './plan';

const plan: DeploymentPlan = {
  template_id: 'enterprise-rag-v1',
  template_version: '1.0.0',
  parameters: {},
  waves: [],
  skipped: [],
  total: { components: 0, gpus: {}, estimated_cost_per_hour: '0.000000' },
  capacity: { admits: true, gpus: [], message: 'fits' },
};

describe('dry-run contract checks', () => {
  it('lists passed checks, then warnings with the path they concern', () => {
    const text = contractLines({
      checks: [{ component: 'llm', check: 'gpu_memory', message: 'needs 17.1 GB; 1 × A100-80GB give 72.0 GB at 90% use' }],
      warnings: [
        { component: 'llm', check: 'context_window', path: 'components[3].model_id', message: 'model x/y is not in the model catalog' },
      ],
    });
    expect(text).toBe(
      [
        'Contract checks:',
        '  ok    llm: gpu memory: needs 17.1 GB; 1 × A100-80GB give 72.0 GB at 90% use',
        '  WARN  llm: context window: model x/y is not in the model catalog (components[3].model_id)',
      ].join('\n'),
    );
  });

  it('adds the section to the plan only when the answer has checks or warnings', () => {
    expect(renderPlan(plan, { name: 'demo', cluster: 'local' })).not.toContain('Contract checks');
    const withChecks = renderPlan(
      { ...plan, checks: [{ component: 'orchestrator', check: 'protocol', message: 'LLM_URL ← llm.openai_base_url speaks openai' }] },
      { name: 'demo', cluster: 'local' },
    );
    expect(withChecks).toContain('Contract checks:\n  ok    orchestrator: protocol: LLM_URL ← llm.openai_base_url speaks openai');
  });
});
