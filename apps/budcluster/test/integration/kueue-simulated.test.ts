import { pollUntil } from '@bud/testing';
import type { JobResponse } from '@bud/contracts';
import { startHarness } from '../support/harness';
import type { Caller, Harness } from '../support/harness';

/**
 * Issue 12's scenarios through the API on the simulated cluster (docs/design.md#quotas): two tenants with 4 GPUs each
 * on an 8-GPU cluster. The steps build on each other, as the issue tells them.
 */
describe('quotas, borrowing, reclaiming and preemption on the simulated cluster', () => {
  let h: Harness;
  let clusterId: string;
  const GPU_FLAVOR = 'gpu-h100-80gb';
  const jobs = new Map<string, { id: string; caller: Caller }>();

  beforeAll(async () => {
    h = await startHarness();
    const cluster = await h.http('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: {
        name: 'kueue-sim',
        type: 'simulated',
        shared: true,
        // Batch jobs hold their GPUs for a day: only cancellation and preemption free them here.
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 86_400_000, gpu_capacity: { 'H100-80GB': 8 } },
      },
    });
    expect(cluster.status).toBe(201);
    clusterId = cluster.body.id as string;
    for (const tenant of [h.tenantA, h.tenantB]) {
      const quota = await h.http('PUT', `/api/v1/clusters/${clusterId}/quotas/${tenant.tenantId}`, {
        caller: h.admin,
        body: { gpus: { 'H100-80GB': { nominal: 4 } } },
      });
      expect({ status: quota.status, body: quota.body as unknown }).toMatchObject({ status: 200 });
    }
  });
  afterAll(() => h.stop());

  const read = async (name: string): Promise<JobResponse> => {
    const job = jobs.get(name);
    if (!job) throw new Error(`no job ${name}`);
    const answer = await h.http<JobResponse>('GET', `/api/v1/clusters/${clusterId}/jobs/${job.id}`, { caller: job.caller });
    return answer.body;
  };
  const waitFor = (name: string, what: string, until: (job: JobResponse) => boolean) =>
    pollUntil(() => read(name), until, { what: `${name} ${what}`, timeoutMs: 15_000 });
  const submit = async (name: string, caller: Caller, gpus: number, priority: string): Promise<JobResponse> => {
    const created = await h.http<JobResponse>('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      caller,
      body: {
        name,
        job_type: 'batch',
        priority_class: priority,
        spec: { kind: 'container', image: 'busybox:1.36', command: ['sleep', '3600'] },
        resources: { gpu_type: 'H100-80GB', gpu_count: gpus, cpu_request: '1', memory_request: '1Gi' },
      },
    });
    expect(created.status).toBe(201);
    jobs.set(name, { id: created.body.id, caller });
    return created.body;
  };
  const cancel = async (name: string) => {
    const job = jobs.get(name);
    if (!job) throw new Error(`no job ${name}`);
    expect((await h.http('DELETE', `/api/v1/clusters/${clusterId}/jobs/${job.id}`, { caller: job.caller })).status).toBe(202);
  };
  const moves = (job: JobResponse) => (job.events ?? []).map((event) => event.to_status);
  const delivered = (name: string) =>
    h.subscriber.received.filter((event) => (event.data as { job_id: string }).job_id === jobs.get(name)?.id).map((event) => event.type);

  it("queues tenant A's fifth GPU job with Kueue's reason and its position while B uses its quota", async () => {
    for (const n of [1, 2, 3, 4]) await submit(`a${n}`, h.tenantA, 1, 'low');
    for (const n of [1, 2, 3, 4]) await submit(`b${n}`, h.tenantB, 1, 'normal');
    for (const name of ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4'])
      expect(await waitFor(name, 'running', (job) => job.status === 'running')).toMatchObject({
        admitted_flavor: GPU_FLAVOR,
        queue_position: null,
      });

    await submit('a5', h.tenantA, 1, 'low');
    const queued = await waitFor('a5', 'queued', (job) => job.status === 'queued' && job.queue_position !== null);
    expect(queued).toMatchObject({
      queue_position: 1,
      status_reason: 'Pending',
      status_message: `couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu in flavor ${GPU_FLAVOR}, 1 more needed`,
      admitted_flavor: null,
    });
    expect(queued.kueue_workload_name).toMatch(new RegExp(`^job-${queued.k8s_resource_name}-[0-9a-f]{5}$`));
  });

  it("borrows B's idle quota once B's work is gone", async () => {
    for (const name of ['b1', 'b2', 'b3', 'b4']) await cancel(name);
    const running = await waitFor('a5', 'running', (job) => job.status === 'running');
    expect(running).toMatchObject({ admitted_flavor: GPU_FLAVOR, queue_position: null });
    expect(moves(running)).toEqual(['pending', 'queued', 'admitted', 'running']);
    expect(running.events?.find((event) => event.to_status === 'admitted')?.message).toContain('borrowing 1 from the cohort');
  });

  it('is preempted and queued again when B submits work within its own quota', async () => {
    await submit('b5', h.tenantB, 4, 'low');
    expect(await waitFor('b5', 'running', (job) => job.status === 'running')).toMatchObject({ admitted_flavor: GPU_FLAVOR });
    const requeued = await waitFor('a5', 'queued again', (job) => moves(job).includes('preempted') && job.status === 'queued');
    expect(moves(requeued)).toEqual(['pending', 'queued', 'admitted', 'running', 'preempted', 'queued']);
    const preempted = requeued.events?.find((event) => event.to_status === 'preempted');
    expect(preempted).toMatchObject({ reason: 'Preempted' });
    expect(preempted?.message).toBe(`Preempted to accommodate a workload (job ${jobs.get('b5')?.id}) due to reclamation within the cohort`);
    expect(requeued).toMatchObject({ queue_position: 1, admitted_flavor: null, status_reason: 'Pending' });
    // A's work within its quota was not touched.
    for (const name of ['a1', 'a2', 'a3', 'a4']) expect(moves(await read(name))).toEqual(['pending', 'admitted', 'running']);
  });

  it("lets a high priority job of A preempt A's own most recent low batch job", async () => {
    await submit('urgent', h.tenantA, 1, 'high');
    expect(await waitFor('urgent', 'running', (job) => job.status === 'running')).toMatchObject({ admitted_flavor: GPU_FLAVOR });
    const victim = await waitFor('a4', 'queued again', (job) => job.status === 'queued');
    expect(moves(victim)).toEqual(['pending', 'admitted', 'running', 'preempted', 'queued']);
    expect(victim.events?.find((event) => event.to_status === 'preempted')?.message).toBe(
      `Preempted to accommodate a workload (job ${jobs.get('urgent')?.id}) due to prioritization in the ClusterQueue`,
    );
    // Behind a5, which waited before it at the same priority.
    expect(victim.queue_position).toBe(2);
    expect((await read('a5')).queue_position).toBe(1);
    for (const name of ['a1', 'a2', 'a3']) expect((await read(name)).status).toBe('running');
  });

  it('moves a queued job by its new priority_class at once, here past running low work it now preempts', async () => {
    const patched = await h.http<JobResponse>('PATCH', `/api/v1/clusters/${clusterId}/jobs/${jobs.get('a4')?.id}`, {
      caller: h.tenantA,
      body: { priority_class: 'normal' },
    });
    expect(patched.status).toBe(200);
    // JobService.patch applies the job again with its new class: no resync needed.
    expect(await waitFor('a4', 'running again', (job) => job.status === 'running')).toMatchObject({ queue_position: null });
    const bumped = await waitFor('a3', 'queued again', (job) => job.status === 'queued');
    expect(bumped.events?.at(-2)?.message).toBe(
      `Preempted to accommodate a workload (job ${jobs.get('a4')?.id}) due to prioritization in the ClusterQueue`,
    );
    expect(bumped.queue_position).toBe(2);
    expect((await read('a5')).queue_position).toBe(1);
  });

  it('publishes every move as a job event', async () => {
    await pollUntil(
      async () => delivered('a5'),
      (types) => types.filter((type) => type === 'bud.job.queued').length === 2,
      { what: "a5's events delivered", timeoutMs: 15_000 },
    );
    expect(delivered('a5')).toEqual([
      'bud.job.pending',
      'bud.job.queued',
      'bud.job.admitted',
      'bud.job.running',
      'bud.job.preempted',
      'bud.job.queued',
    ]);
    await pollUntil(
      async () => delivered('a4'),
      (types) => types.includes('bud.job.queued'),
      { what: "a4's events delivered", timeoutMs: 15_000 },
    );
    expect(delivered('a4').slice(0, 5)).toEqual([
      'bud.job.pending',
      'bud.job.admitted',
      'bud.job.running',
      'bud.job.preempted',
      'bud.job.queued',
    ]);
  });
});
