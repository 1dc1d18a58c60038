import { changePlanSchema } from '@bud/contracts';
import type { ChangePlan } from '@bud/contracts';

/** An update that rolls the llm and removes the reranker with its volume; validated by the contract. */
export function makeChangePlan(overrides: Partial<ChangePlan> = {}): ChangePlan {
  return changePlanSchema.parse({
    action: 'update',
    deployment_id: '33333333-3333-4333-8333-333333333333',
    template_version_before: '1.0.0',
    template_version_after: '1.0.0',
    components: [
      {
        id: 'llm',
        component_ref: 'vllm-endpoint',
        change: 'rolling',
        fields: [{ path: 'spec.env.MAX_MODEL_LEN', from: '4096', to: '8192' }],
        estimated_cost_per_hour_before: '3.000000',
        estimated_cost_per_hour_after: '3.000000',
      },
      {
        id: 'reranker',
        component_ref: 'tei-reranker',
        change: 'remove',
        fields: [],
        estimated_cost_per_hour_before: '0.500000',
        estimated_cost_per_hour_after: '0.000000',
      },
    ],
    blast_radius: [{ component: 'orchestrator', because_of: { component: 'llm', output: 'url' } }],
    cost: {
      before_per_hour: '3.500000',
      after_per_hour: '3.000000',
      difference_per_hour: '-0.500000',
      gpus_before: { 'A100-80GB': 1 },
      gpus_after: { 'A100-80GB': 1 },
    },
    capacity: { admits: true, gpus: [], message: 'fits' },
    data_at_risk: [
      { component: 'reranker', volume: 'cache', claim_name: 'reranker-cache', size: '10Gi', estimated_cost_per_month: '1.000000' },
    ],
    ...overrides,
  });
}
