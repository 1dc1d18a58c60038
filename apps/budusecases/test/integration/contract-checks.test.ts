import { randomUUID } from 'node:crypto';
import { dryRunResponseSchema, errorBodySchema } from '@bud/contracts';
import { contractRagTemplate } from '../support/contract-template';
import { fastCluster, waitForStatus } from '../support/deployments';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';

/** docs/templates.md#typed-contracts over HTTP: the planner loads templates/models and checks every dry-run and deploy. */
describe('typed contract checks through POST /deployments', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startUsecasesHarness();
    clusterId = await fastCluster(h, h.tenantA);
    const created = await h.http('POST', '/api/v1/templates', { body: contractRagTemplate() });
    if (created.status !== 201) throw new Error(`template create failed: ${JSON.stringify(created.body)}`);
  });
  afterAll(() => h.stop());

  const request = (parameters: Record<string, unknown>) => ({
    template_id: 'contract-rag',
    name: `cc-${randomUUID().slice(0, 8)}`,
    cluster_id: clusterId,
    parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', ...parameters },
  });

  it('answers a dry run with the checks that passed', async () => {
    const plan = await h.http('POST', '/api/v1/deployments?dry_run=true', { schema: dryRunResponseSchema, body: request({}) });
    expect(plan.status).toBe(200);
    expect(plan.body.checks?.map((c) => `${c.component}/${c.check}`).sort()).toEqual([
      'chat-ui/protocol',
      'llm/context_window',
      'llm/gpu_memory',
      'orchestrator/embedding_dimension',
      'orchestrator/protocol',
      'orchestrator/protocol',
      'orchestrator/protocol',
    ]);
    expect(plan.body.warnings).toBeUndefined();
  });

  it('refuses a dry run and a deploy that cannot work with 422 naming the parameter to change, creating nothing', async () => {
    for (const query of ['?dry_run=true', '']) {
      const tooBig = await h.http('POST', `/api/v1/deployments${query}`, {
        schema: errorBodySchema,
        body: request({ model_id: 'meta-llama/Llama-3.1-70B-Instruct', context_window: 32768 }),
      });
      expect(tooBig.status).toBe(422);
      expect(tooBig.body.details).toEqual([
        { path: 'parameters.llm_gpu_count', message: expect.stringContaining('set llm_gpu_count to 4') },
      ]);
      const dimension = await h.http('POST', `/api/v1/deployments${query}`, {
        schema: errorBodySchema,
        body: request({ embedding_dimension: 1024 }),
      });
      expect(dimension.status).toBe(422);
      expect(dimension.body.details?.map((d: { path: string }) => d.path)).toEqual(['parameters.embedding_dimension']);
    }
    const listed = await h.http('GET', '/api/v1/deployments?template_id=contract-rag');
    expect(listed.body.items).toEqual([]);
  });

  it('deploys a model outside the catalog with a warning in the plan', async () => {
    const plan = await h.http('POST', '/api/v1/deployments?dry_run=true', {
      schema: dryRunResponseSchema,
      body: request({ model_id: 'acme/unlisted-7b' }),
    });
    expect(plan.status).toBe(200);
    expect(plan.body.warnings).toEqual([
      {
        component: 'llm',
        check: 'gpu_memory',
        path: 'components[2].model_id',
        message:
          'model acme/unlisted-7b is not in the model catalog (templates/models) and config.model_size does not give its size: not checked',
      },
    ]);
  });

  it('refuses a scale that leaves the model without the GPU memory it needs, naming the scale field', async () => {
    const created = await h.http('POST', '/api/v1/deployments', {
      body: request({ model_id: 'meta-llama/Llama-3.1-70B-Instruct', llm_gpu_count: 2 }),
    });
    expect(created.status).toBe(201);
    await waitForStatus(h, created.body.id, 'running');
    const scale = (resources: Record<string, unknown>) =>
      h.http('POST', `/api/v1/deployments/${created.body.id}/components/llm/scale?dry_run=true`, {
        body: { resources },
        schema: errorBodySchema,
      });
    const down = await scale({ gpu_count: 1 });
    expect(down.status).toBe(422);
    expect(down.body.details).toEqual([
      {
        path: 'resources.gpu_count',
        message: expect.stringContaining('but 1 × A100-80GB give 72.0 GB at 90% use; set resources.gpu_count to 2'),
      },
    ]);
    expect(
      (
        await h.http('POST', `/api/v1/deployments/${created.body.id}/components/llm/scale?dry_run=true`, {
          body: { resources: { gpu_count: 4 } },
        })
      ).status,
    ).toBe(200);
  });
});
