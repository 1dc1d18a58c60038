import { pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

describe('the simulated cluster queues only work that contends for the same GPUs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  const statusOf = async (clusterId: string, jobId: string, caller = h.tenantA) =>
    (await h.http('GET', `/api/v1/clusters/${clusterId}/jobs/${jobId}`, { caller })).body;

  it("runs one tenant's CPU-only job while another tenant's GPU jobs queue on a shared cluster", async () => {
    const shared = await h.http('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: {
        name: 'shared-small',
        type: 'simulated',
        shared: true,
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, gpu_capacity: { 'H100-80GB': 1 } },
      },
    });
    expect(shared.status).toBe(201);
    const clusterId = shared.body.id as string;
    const gpuJob = () => containerJob({ resources: { gpu_type: 'H100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi' } });
    const holder = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: gpuJob(), caller: h.tenantB });
    await pollUntil(
      () => statusOf(clusterId, holder.body.id, h.tenantB),
      (job) => job.status === 'running',
      { what: 'the GPU holder running', timeoutMs: 10_000 },
    );
    const backlog = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      body: gpuJob(),
      caller: h.tenantB,
    });
    await pollUntil(
      () => statusOf(clusterId, backlog.body.id, h.tenantB),
      (job) => job.status === 'queued',
      { what: 'the GPU backlog queued', timeoutMs: 10_000 },
    );

    const web = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
    expect(web.status).toBe(201);
    const running = await pollUntil(
      () => statusOf(clusterId, web.body.id),
      (job) => job.status === 'running',
      { what: 'the CPU-only job running', timeoutMs: 10_000 },
    );
    expect(running.events.map((event: any) => event.to_status)).not.toContain('queued');
    expect((await statusOf(clusterId, backlog.body.id, h.tenantB)).status).toBe('queued');
  });
});
