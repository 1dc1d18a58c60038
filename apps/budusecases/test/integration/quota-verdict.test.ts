// docs/design.md#quotas: the dry-run's capacity verdict judges the stack under the caller's quota on the cluster, with
// the quota and usage budcluster reports (the caller's own quota row, else the cluster's default, else the built-in one).
import { dryRunResponseSchema, jobResponseSchema } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { ragRequest } from '../support/deployments';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';

describe("the dry-run's quota verdict", () => {
  let h: UsecasesHarness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startUsecasesHarness();
    // The shared local cluster (8 × A100-80GB, 8 × H100-80GB) of this suite's own budcluster: nothing else holds its GPUs.
    clusterId = h.localClusterId;
  });
  afterAll(() => h.stop());

  const dryRun = async () => {
    const answer = await h.http('POST', '/api/v1/deployments?dry_run=true', { schema: dryRunResponseSchema, body: ragRequest(clusterId) });
    if (answer.status !== 200) throw new Error(`dry-run answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.capacity;
  };
  const setQuota = async (tenant: string, body: unknown) => {
    const answer = await h.clusterHttp('PUT', `/api/v1/clusters/${clusterId}/quotas/${tenant}`, { caller: h.admin, body });
    expect(answer.status).toBe(200);
  };

  it('runs now under the built-in default (everything borrowed), never fits a quota that allows no A100, queues behind its own work', async () => {
    // simple-rag-v1 needs 1 × A100-80GB (its llm).
    expect((await dryRun()).quota).toEqual({
      outcome: 'runs_now',
      message: 'within your quota: 1 × A100-80GB, 1 of them borrowed beyond your nominal 0',
    });

    await setQuota(h.tenantA.tenantId, { gpus: { 'A100-80GB': { nominal: 0, borrowing_limit: 0 } } });
    expect((await dryRun()).quota).toEqual({
      outcome: 'never_fits',
      message: 'needs 1 × A100-80GB but your quota allows at most 0 (nominal 0, borrowing limit 0)',
    });
    // The plain capacity verdict still says the cluster itself has room.
    expect((await dryRun()).admits).toBe(true);

    await setQuota(h.tenantA.tenantId, { gpus: { 'A100-80GB': { nominal: 1, borrowing_limit: 0 } } });
    const held = await h.clusterHttp('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      schema: jobResponseSchema,
      body: {
        name: 'holds-the-a100',
        job_type: 'service',
        spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }] },
        resources: { gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi' },
      },
    });
    expect(held.status).toBe(201);
    await pollUntil(
      () => h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs/${held.body.id}`, { schema: jobResponseSchema }),
      (answer) => answer.body.status === 'running',
      { what: 'the A100 job running', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect((await dryRun()).quota).toEqual({
      outcome: 'queues',
      message: 'needs 1 × A100-80GB: your work holds 1 (nominal 1, borrowing limit 0), so it waits for 1 of yours to free up',
    });
  });

  it("judges another tenant by its own quota: the cluster's default", async () => {
    await setQuota('default', { gpus: { 'A100-80GB': { nominal: 2, borrowing_limit: null } } });
    const answer = await h.http('POST', '/api/v1/deployments?dry_run=true', {
      caller: h.tenantB,
      schema: dryRunResponseSchema,
      body: ragRequest(clusterId),
    });
    expect(answer.body.capacity.quota).toEqual({ outcome: 'runs_now', message: 'within your quota: 1 × A100-80GB' });
  });
});
