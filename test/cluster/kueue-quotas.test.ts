// Issue 12's proofs on the real control plane with Kueue (docs/design.md#quotas, "On Kubernetes"), through budcluster's
// API: two tenants with 4 H100 GPUs of quota each on the test bed's 8-H100 kwok node. budcluster renders the flavors,
// the cohort's ClusterQueues and the LocalQueues; Kueue admits, queues and preempts; the job statuses and their events
// follow the Workloads. Batch pods carry BUD_TEST_NEVER_COMPLETES, so each job holds its GPU until it is cancelled.
import { randomUUID } from 'node:crypto';
import { pollUntil } from '@bud/testing';
import { startHarness, type Caller, type Harness } from '../../apps/budcluster/test/support/harness';
import { NEVER_COMPLETES_ENV } from '../../scripts/testbed/kwok-config';
import { acquireTestbed, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 90_000, intervalMs: 250 };
const H100 = 'H100-80GB';
const FLAVOR = 'gpu-h100-80gb';

interface JobEvent {
  from_status: string | null;
  to_status: string;
  reason: string | null;
  message: string | null;
}

interface Job {
  id: string;
  status: string;
  status_reason: string | null;
  status_message: string | null;
  priority_class: string;
  queue_position: number | null;
  admitted_flavor: string | null;
  kueue_workload_name: string | null;
  events?: JobEvent[];
}

const holding = (job: Job) => job.status === 'admitted' || job.status === 'running';

describe('Kueue quotas, borrowing and preemption through budcluster on the test bed', () => {
  let testbed: Testbed;
  let h: Harness;
  let clusterId: string;
  /** Active jobs → the tenant that created them, cancelled at the end. */
  const live = new Map<string, Caller>();

  beforeAll(async () => {
    testbed = await acquireTestbed();
    h = await startHarness({
      ...TESTBED_BUDCLUSTER_ENV,
      LOG_LEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'error',
    });
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      caller: h.admin,
      body: { name: `kueue-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: testbed.kubeconfig, shared: true },
    });
    if (created.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(created.body)}`);
    clusterId = created.body.id;
    // The scenarios count on the 8 H100s of kwok-h100-0 and nothing more.
    await pollUntil(
      () => h.http<{ gpu_inventory: Record<string, number> }>('GET', `/api/v1/clusters/${clusterId}`),
      (answer) => answer.body.gpu_inventory?.[H100] === 8,
      { ...SLOW, what: 'the 8 H100s of the test bed in the inventory' },
    );
    for (const tenant of [h.tenantA, h.tenantB]) {
      const put = await h.http('PUT', `/api/v1/clusters/${clusterId}/quotas/${tenant.tenantId}`, {
        caller: h.admin,
        body: { gpus: { [H100]: { nominal: 4 } } },
      });
      if (put.status !== 200 && put.status !== 201) throw new Error(`quota PUT failed: ${put.status} ${JSON.stringify(put.body)}`);
    }
  }, 60 * 60_000);

  afterAll(async () => {
    if (h)
      for (const [id, caller] of live)
        await h.http('DELETE', `/api/v1/clusters/${clusterId}/jobs/${id}`, { caller }).catch(() => undefined);
    await h?.stop();
    await testbed?.release();
  }, 120_000);

  const jobPath = (id = '') => `/api/v1/clusters/${clusterId}/jobs${id ? `/${id}` : ''}`;
  const getJob = async (caller: Caller, id: string): Promise<Job> => {
    const answer = await h.http<Job>('GET', jobPath(id), { caller });
    if (answer.status !== 200) throw new Error(`job read failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const gpuJob = async (caller: Caller, priority: string): Promise<Job> => {
    const created = await h.http<Job>('POST', jobPath(), {
      caller,
      body: {
        name: `gpu-${randomUUID().slice(0, 8)}`,
        job_type: 'batch',
        priority_class: priority,
        spec: { kind: 'container', image: 'registry.invalid/trainer:1', ports: [], env: { [NEVER_COMPLETES_ENV]: '1' } },
        resources: { cpu_request: '100m', memory_request: '64Mi', gpu_type: H100, gpu_count: 1 },
      },
    });
    if (created.status !== 201) throw new Error(`job create failed: ${created.status} ${JSON.stringify(created.body)}`);
    live.set(created.body.id, caller);
    return created.body;
  };
  const cancel = async (caller: Caller, id: string) => {
    const answer = await h.http('DELETE', jobPath(id), { caller });
    if (answer.status !== 200 && answer.status !== 202) throw new Error(`cancel failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    live.delete(id);
  };
  /** The fields a failed wait names (the poll's own message cuts the job's JSON short). */
  const brief = (job: Job) =>
    JSON.stringify({
      status: job.status,
      reason: job.status_reason,
      message: job.status_message,
      position: job.queue_position,
      flavor: job.admitted_flavor,
      workload: job.kueue_workload_name,
    });
  const until = async (caller: Caller, id: string, accept: (job: Job) => boolean, what: string) => {
    let last: Job | undefined;
    try {
      return await pollUntil(async () => (last = await getJob(caller, id)), accept, { ...SLOW, what });
    } catch (err) {
      throw new Error(`${(err as Error).message.split(' (last')[0]}; last seen ${last ? brief(last) : 'nothing'}`);
    }
  };
  const untilHolding = async (caller: Caller, jobs: Job[], what: string) => {
    for (const job of jobs) await until(caller, job.id, (j) => holding(j) && j.admitted_flavor === FLAVOR, `${what}: ${job.id} admitted`);
  };
  const statusesOf = (job: Job) => (job.events ?? []).map((e) => e.to_status);
  /** The statuses the job-events topic carried for the job, in order. */
  const published = (id: string) =>
    h.subscriber.received.filter((e) => (e.data as { job_id?: string }).job_id === id).map((e) => (e.data as { status: string }).status);

  describe('quota, borrowing and reclaim between tenants', () => {
    let fromB: Job[] = [];
    let fromA: Job[] = [];
    let q1: Job;
    let q2: Job;

    it("queues A's fifth GPU job with Kueue's reason and its position while B uses its own quota", async () => {
      fromB = [];
      for (let i = 0; i < 4; i++) fromB.push(await gpuJob(h.tenantB, 'normal'));
      await untilHolding(h.tenantB, fromB, "B's four jobs");
      fromA = [];
      for (let i = 0; i < 4; i++) fromA.push(await gpuJob(h.tenantA, 'normal'));
      await untilHolding(h.tenantA, fromA, "A's four jobs");

      q1 = await gpuJob(h.tenantA, 'low');
      const queued = await until(h.tenantA, q1.id, (j) => j.status === 'queued' && j.queue_position === 1, 'the fifth job queued first');
      expect(queued.status_reason).toBe('Pending');
      expect(queued.status_message).toContain('nvidia.com/gpu');
      expect(queued.kueue_workload_name).toMatch(/^job-/);
      expect(queued.admitted_flavor).toBeNull();

      // Kueue orders equal priorities by creation time, to the second: the next job is made in a later second.
      const madeAt = Date.now();
      await pollUntil(
        async () => Date.now(),
        (now) => Math.floor(now / 1000) > Math.floor(madeAt / 1000),
        {
          timeoutMs: 2_000,
          intervalMs: 50,
          what: 'the next second',
        },
      );
      q2 = await gpuJob(h.tenantA, 'low');
      await until(h.tenantA, q2.id, (j) => j.status === 'queued' && j.queue_position === 2, 'the sixth job queued behind it');
    });

    it('moves a queued job ahead when its priority_class is raised', async () => {
      // normal equals the running jobs' priority: it moves ahead of q1 without preempting anything.
      const patched = await h.http<Job>('PATCH', jobPath(q2.id), { caller: h.tenantA, body: { priority_class: 'normal' } });
      expect(patched.status).toBe(200);
      await until(h.tenantA, q2.id, (j) => j.queue_position === 1, 'the raised job first in the queue');
      await until(h.tenantA, q1.id, (j) => j.queue_position === 2, 'the other one second');
      for (const job of fromA) expect(holding(await getJob(h.tenantA, job.id))).toBe(true);
    });

    it("borrows B's idle quota once B's work is gone", async () => {
      for (const job of fromB) await cancel(h.tenantB, job.id);
      await untilHolding(h.tenantA, [q2, q1], 'the queued jobs borrowing');
      const borrowed = await getJob(h.tenantA, q1.id);
      expect(borrowed.queue_position).toBeNull();
      expect(statusesOf(borrowed)).toEqual(expect.arrayContaining(['queued', 'admitted']));
    });

    it('preempts the borrowing low-priority job when B submits within its own quota, then requeues it', async () => {
      // 6 of 8 GPUs are A's; B's three need one back: Kueue reclaims it from A's lowest-priority borrower.
      fromB = [];
      for (let i = 0; i < 3; i++) fromB.push(await gpuJob(h.tenantB, 'normal'));
      await untilHolding(h.tenantB, fromB, "B's jobs within its quota");
      const requeued = await until(
        h.tenantA,
        q1.id,
        (j) => j.status === 'queued' && statusesOf(j).includes('preempted'),
        'the borrower preempted and queued again',
      );
      expect(requeued.queue_position).toBe(1);
      const preemption = requeued.events?.find((e) => e.to_status === 'preempted');
      expect(preemption?.reason).toBe('Preempted');
      expect(preemption?.message).toMatch(/[Pp]reempted/);
      const moves = statusesOf(requeued);
      expect(moves.slice(moves.indexOf('preempted'))).toEqual(['preempted', 'queued']);
      await pollUntil(
        async () => published(q1.id),
        (statuses) => statuses.includes('preempted') && statuses.lastIndexOf('queued') > statuses.indexOf('preempted'),
        { ...SLOW, what: 'preempted then queued on job-events' },
      );
      // The other borrower (normal) keeps its GPU.
      expect(holding(await getJob(h.tenantA, q2.id))).toBe(true);
    });

    afterAll(async () => {
      for (const [id, caller] of [...live]) await cancel(caller, id).catch(() => undefined);
    }, 120_000);
  });

  describe('priority within a tenant, and a service', () => {
    const fromB: Job[] = [];
    let victim: Job;

    it("a high job of A preempts A's own low batch job when neither quota nor the cohort has room", async () => {
      for (let i = 0; i < 4; i++) fromB.push(await gpuJob(h.tenantB, 'normal'));
      await untilHolding(h.tenantB, fromB, "B's four jobs");
      const low: Job[] = [];
      for (let i = 0; i < 4; i++) low.push(await gpuJob(h.tenantA, 'low'));
      await untilHolding(h.tenantA, low, "A's four low jobs");

      const high = await gpuJob(h.tenantA, 'high');
      await untilHolding(h.tenantA, [high], 'the high job');
      const victims = await pollUntil(
        async () => Promise.all(low.map((job) => getJob(h.tenantA, job.id))),
        (jobs) => jobs.filter((j) => statusesOf(j).includes('preempted')).length === 1,
        { ...SLOW, what: 'one low job preempted' },
      );
      victim = victims.find((j) => statusesOf(j).includes('preempted'))!;
      const requeued = await until(h.tenantA, victim.id, (j) => j.status === 'queued', 'the low job requeued');
      expect(requeued.queue_position).toBe(1);
      expect(requeued.events?.find((e) => e.to_status === 'preempted')?.message).toMatch(/[Pp]reempted/);
      // B's jobs are untouched.
      for (const job of fromB) expect(holding(await getJob(h.tenantB, job.id))).toBe(true);
    });

    it("queues a GPU service whose pod Kueue gates, behind A's requeued job, and admits it once B's quota is idle", async () => {
      const created = await h.http<Job>('POST', jobPath(), {
        caller: h.tenantA,
        body: {
          name: `svc-${randomUUID().slice(0, 8)}`,
          job_type: 'service',
          priority_class: 'low',
          spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }] },
          resources: { cpu_request: '100m', memory_request: '64Mi', gpu_type: H100, gpu_count: 1 },
        },
      });
      expect(created.status).toBe(201);
      live.set(created.body.id, h.tenantA);
      // Kueue's deployment integration: the pod is its own Workload (pod-…), gated until admitted.
      const queued = await until(
        h.tenantA,
        created.body.id,
        (j) => j.status === 'queued' && j.queue_position === 2,
        'the service queued second',
      );
      expect(queued.status_reason).toBe('Pending');
      expect(queued.kueue_workload_name).toMatch(/^pod-/);
      expect(statusesOf(await getJob(h.tenantA, created.body.id))).not.toContain('admitted');

      for (const job of fromB) await cancel(h.tenantB, job.id);
      await untilHolding(h.tenantA, [victim, created.body], "A's queued work borrowing B's idle quota");
    });
  });
});
