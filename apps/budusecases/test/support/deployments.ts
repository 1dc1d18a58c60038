import { randomUUID } from 'node:crypto';
import { deploymentResponseSchema } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import type { Caller, UsecasesHarness } from './harness';

/** A simulated cluster of the caller's tenant with no delays (fast, deterministic runs). */
export async function fastCluster(h: UsecasesHarness, owner: Caller, settings: Record<string, unknown> = {}): Promise<string> {
  const created = await h.clusterHttp<{ id: string }>('POST', '/api/v1/clusters', {
    caller: owner,
    body: {
      name: `fast-${randomUUID().slice(0, 8)}`,
      type: 'simulated',
      settings: { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 0, ...settings },
    },
  });
  if (created.status !== 201) throw new Error(`cluster create failed: ${JSON.stringify(created.body)}`);
  return created.body.id;
}

export const ragRequest = (clusterId: string, overrides: Record<string, unknown> = {}) => ({
  template_id: 'simple-rag-v1',
  name: `rag-${randomUUID().slice(0, 8)}`,
  cluster_id: clusterId,
  parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
  ...overrides,
});

export async function waitForStatus(h: UsecasesHarness, id: string, status: string, caller?: Caller): Promise<any> {
  return pollUntil(
    async () => (await h.http('GET', `/api/v1/deployments/${id}`, { caller, schema: deploymentResponseSchema })).body,
    (d: any) => d.status === status,
    { what: `deployment ${id} ${status}`, timeoutMs: 30_000 },
  );
}
