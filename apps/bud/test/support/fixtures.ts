import { changePlanSchema, deploymentResponseSchema } from '@bud/contracts';
import type { ChangePlan, DeploymentComponentResponse, DeploymentResponse } from '@bud/contracts';

export const DEPLOYMENT_ID = '33333333-3333-4333-8333-333333333333';
const USER = '44444444-4444-4444-8444-444444444444';
const CLUSTER = '11111111-1111-4111-8111-111111111111';
const AT = '2026-01-10T11:00:00.000Z';

/** An update of rag's llm (env and replicas) that restarts the orchestrator and drops the reranker with its volume. */
export function makeChangePlan(overrides: Partial<ChangePlan> = {}): ChangePlan {
  return changePlanSchema.parse({
    action: 'update',
    deployment_id: DEPLOYMENT_ID,
    template_version_before: '1.0.0',
    template_version_after: '1.0.0',
    components: [
      {
        id: 'llm',
        component_ref: 'vllm-endpoint',
        change: 'rolling',
        fields: [
          { path: 'spec.env.MAX_MODEL_LEN', from: '4096', to: '8192' },
          { path: 'resources.replicas', from: 1, to: 2 },
        ],
        estimated_cost_per_hour_before: '3.000000',
        estimated_cost_per_hour_after: '6.000000',
      },
      {
        id: 'orchestrator',
        component_ref: 'rag-orchestrator',
        change: 'rolling',
        fields: [{ path: 'spec.env.LLM_URL', from: 'http://llm:8000', to: 'http://llm-2:8000' }],
        estimated_cost_per_hour_before: '0.100000',
        estimated_cost_per_hour_after: '0.100000',
      },
      {
        id: 'reranker',
        component_ref: 'tei-reranker',
        change: 'remove',
        fields: [],
        estimated_cost_per_hour_before: '0.500000',
        estimated_cost_per_hour_after: '0.000000',
      },
      {
        id: 'vector-db',
        component_ref: 'qdrant',
        change: 'unchanged',
        fields: [],
        estimated_cost_per_hour_before: '0.200000',
        estimated_cost_per_hour_after: '0.200000',
      },
    ],
    blast_radius: [{ component: 'orchestrator', because_of: { component: 'llm', output: 'url' } }],
    cost: {
      before_per_hour: '3.800000',
      after_per_hour: '6.300000',
      difference_per_hour: '2.500000',
      gpus_before: { 'A100-80GB': 1 },
      gpus_after: { 'A100-80GB': 2 },
    },
    capacity: { admits: true, gpus: [{ gpu_type: 'A100-80GB', requested: 1, free: 3, sufficient: true }], message: 'fits' },
    data_at_risk: [
      { component: 'reranker', volume: 'cache', claim_name: 'reranker-cache', size: '10Gi', estimated_cost_per_month: '1.000000' },
    ],
    ...overrides,
  });
}

export function makeComponent(overrides: Partial<DeploymentComponentResponse> & { id: string }): DeploymentComponentResponse {
  return {
    component_ref: overrides.id,
    status: 'running',
    blocked_by: [],
    depends_on: [],
    wave: 0,
    job_id: null,
    job_status: 'running',
    outputs: {},
    job_outputs: {},
    message: null,
    health: 'healthy',
    health_message: null,
    unhealthy_since: null,
    replicas: 1,
    generation: 1,
    estimated_cost_per_hour: '0.100000',
    updated_at: AT,
    ...overrides,
  };
}

/** A running rag deployment; `components` replaces the default four. */
export function makeDeployment(overrides: Partial<DeploymentResponse> = {}): DeploymentResponse {
  return deploymentResponseSchema.parse({
    id: DEPLOYMENT_ID,
    name: 'rag',
    tenant_id: USER,
    project_id: null,
    created_by: USER,
    template_id: 'simple-rag-v1',
    template_version: '1.0.0',
    upgrade_available: null,
    cluster_id: CLUSTER,
    namespace: 'rag',
    parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
    status: 'running',
    status_message: null,
    on_failure: 'stop',
    run: 1,
    estimated_cost_per_hour: '3.800000',
    created_at: AT,
    updated_at: AT,
    version: 1,
    components: ['llm', 'orchestrator', 'reranker', 'vector-db'].map((id) => makeComponent({ id })),
    ...overrides,
  });
}
