import { simulatedSettingsSchema } from '@bud/contracts';
import { ManualClock } from '@bud/testing';
import type { JobModel, ObservedStatus } from '../../domain/job-model';
import { makeJob } from '../../../test/support/job-model.builder';
import { BUILT_IN_DEFAULT_QUOTA } from '../../domain/quota-model';
import { SimulatedDriver } from './simulated-driver';

let seq = 0;
/** A pending one-GPU service with its own id and name, so several can queue on one cluster. */
const nextJob = (overrides: Partial<JobModel> = {}): JobModel =>
  makeJob(
    {
      id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
      name: `job-${seq}`,
      resources: { gpu_type: 'H100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 },
      status: 'pending',
      ...overrides,
    },
    { kind: 'container', image: 'nginx:1.27', env: {}, ports: [{ port: 80, protocol: 'TCP' }] },
  );

describe('SimulatedDriver', () => {
  let clock: ManualClock;
  let seen: ObservedStatus[];
  const start = async (settings: Record<string, unknown>, random = () => 0.99) => {
    clock = new ManualClock();
    seen = [];
    const driver = new SimulatedDriver(
      'c',
      simulatedSettingsSchema.parse({ admit_delay_ms: 100, ready_delay_ms: 200, batch_run_ms: 300, ...settings }),
      clock,
      random,
    );
    await driver.start(async (observed) => {
      seen.push(observed);
    });
    return driver;
  };
  const statusesOf = (job: JobModel) => seen.filter((s) => s.jobId === job.id).map((s) => s.status);

  it('admits after the admit delay and runs a service after the ready delay, with outputs', async () => {
    const driver = await start({});
    const job = nextJob();
    await driver.apply(job);
    await clock.advance(99);
    expect(statusesOf(job)).toEqual([]);
    await clock.advance(1);
    expect(statusesOf(job)).toEqual(['admitted']);
    await clock.advance(200);
    expect(statusesOf(job)).toEqual(['admitted', 'running']);
    expect(seen.at(-1)?.outputs).toMatchObject({ service: job.resourceName, port: 80 });
  });

  it('runs a batch job to succeeded after its run time and frees its GPU', async () => {
    const driver = await start({ gpu_capacity: { 'H100-80GB': 1 } });
    const batch = nextJob({ jobType: 'batch' });
    const next = nextJob();
    await driver.apply(batch);
    await driver.apply(next);
    expect(statusesOf(next)).toEqual(['queued']);
    await clock.advance(600);
    expect(statusesOf(batch)).toEqual(['admitted', 'running', 'succeeded']);
    await clock.advance(300);
    expect(statusesOf(next)).toEqual(['queued', 'admitted', 'running']);
  });

  it('admits queued work by priority, first come first served within a priority', async () => {
    const driver = await start({ gpu_capacity: { 'H100-80GB': 1 }, admit_delay_ms: 0, ready_delay_ms: 0 });
    const holder = nextJob();
    const lowFirst = nextJob({ priorityClass: 'low' });
    const normalA = nextJob();
    const critical = nextJob({ priorityClass: 'critical' });
    const normalB = nextJob();
    for (const job of [holder, lowFirst, normalA, critical, normalB]) await driver.apply(job);
    await clock.advance(0);
    const admittedOrder: string[] = [];
    let current = holder;
    for (let i = 0; i < 4; i++) {
      await driver.remove(current);
      await clock.advance(0);
      const admitted = seen.filter((s) => s.status === 'admitted').map((s) => s.jobId);
      current = [lowFirst, normalA, critical, normalB].find((j) => j.id === admitted.at(-1))!;
      admittedOrder.push(current.name);
    }
    expect(admittedOrder).toEqual([critical.name, normalA.name, normalB.name, lowFirst.name]);
  });

  it('admits CPU-only work at once and lets other GPU types pass, while GPU work of one type waits', async () => {
    const driver = await start({ gpu_capacity: { 'H100-80GB': 1, 'A100-80GB': 1 }, admit_delay_ms: 0, ready_delay_ms: 0 });
    const cpuOnly = { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 };
    const holder = nextJob();
    const waitingH100 = nextJob();
    const webServer = nextJob({ resources: cpuOnly });
    const a100 = nextJob({ resources: { ...cpuOnly, gpu_type: 'A100-80GB', gpu_count: 1 } });
    for (const job of [holder, waitingH100, webServer, a100]) await driver.apply(job);
    await clock.advance(0);
    expect(statusesOf(waitingH100)).toEqual(['queued']);
    expect(statusesOf(webServer)).toEqual(['admitted', 'running']);
    expect(statusesOf(a100)).toEqual(['admitted', 'running']);
    expect(seen.some((s) => /waiting for 0/.test(s.message ?? ''))).toBe(false);
  });

  it('admits a queued job of one GPU type when capacity of its type frees, past a blocked type', async () => {
    const driver = await start({ gpu_capacity: { 'H100-80GB': 1, 'A100-80GB': 1 }, admit_delay_ms: 0, ready_delay_ms: 0 });
    const a100 = (priorityClass: JobModel['priorityClass']) =>
      nextJob({ priorityClass, resources: { gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 } });
    const [h100Holder, h100Waiting] = [nextJob(), nextJob()];
    const [a100Holder, a100Waiting] = [a100('normal'), a100('low')];
    for (const job of [h100Holder, a100Holder, h100Waiting, a100Waiting]) await driver.apply(job);
    await driver.remove(a100Holder);
    await clock.advance(0);
    expect(statusesOf(h100Waiting)).toEqual(['queued']);
    expect(statusesOf(a100Waiting)).toEqual(['queued', 'admitted', 'running']);
  });

  describe('queues (docs/design.md#quotas)', () => {
    const tenantA = '0a000000-0000-4000-8000-00000000000a';
    const tenantB = '0b000000-0000-4000-8000-00000000000b';
    const reports = (job: JobModel) => seen.filter((s) => s.jobId === job.id);

    it("reports a waiting job queued with its position, Kueue's reason and message and its workload name; admitted with its flavor", async () => {
      const driver = await start({ gpu_capacity: { 'H100-80GB': 1 }, admit_delay_ms: 0, ready_delay_ms: 0 });
      const holder = nextJob();
      const [first, second] = [nextJob(), nextJob()];
      for (const job of [holder, first, second]) await driver.apply(job);
      await clock.advance(0);
      expect(reports(second).at(-1)).toMatchObject({
        status: 'queued',
        reason: 'Pending',
        message:
          "couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu in flavor gpu-h100-80gb, 1 more needed",
        queuePosition: 2,
        workloadName: expect.stringMatching(new RegExp(`^job-${second.resourceName}-[0-9a-f]{5}$`)) as unknown,
      });
      expect(reports(holder)[0]).toMatchObject({
        status: 'admitted',
        reason: 'QuotaReserved',
        admittedFlavor: 'gpu-h100-80gb',
        queuePosition: null,
      });
      await driver.remove(holder);
      await clock.advance(0);
      expect(reports(first).map((s) => [s.status, s.queuePosition])).toEqual([
        ['queued', 1],
        ['admitted', null],
        ['running', undefined],
      ]);
      expect(reports(second).map((s) => [s.status, s.queuePosition])).toEqual([
        ['queued', 2],
        ['queued', 1],
      ]);
    });

    it('lets higher priority preempt lower priority work of the same tenant, which is queued again', async () => {
      const driver = await start({ gpu_capacity: { 'H100-80GB': 1 }, admit_delay_ms: 0, ready_delay_ms: 0 });
      const low = nextJob({ priorityClass: 'low', jobType: 'batch' });
      await driver.apply(low);
      await clock.advance(0);
      const urgent = nextJob({ priorityClass: 'high' });
      await driver.apply(urgent);
      await clock.advance(0);
      expect(reports(low).map((s) => s.status)).toEqual(['admitted', 'running', 'preempted', 'queued']);
      expect(reports(low)[2]?.message).toBe(
        `Preempted to accommodate a workload (job ${urgent.id}) due to prioritization in the ClusterQueue`,
      );
      expect(reports(low)[3]).toMatchObject({ queuePosition: 1, admittedFlavor: null });
      expect(reports(urgent).map((s) => s.status)).toEqual(['admitted', 'running']);
      // The preempted batch job runs again, from the start, once the GPU is free.
      await driver.remove(urgent);
      await clock.advance(0);
      expect(reports(low).map((s) => s.status)).toEqual(['admitted', 'running', 'preempted', 'queued', 'admitted', 'running']);
    });

    it('moves a waiting job in its queue when its priority changes (same generation)', async () => {
      const driver = await start({ gpu_capacity: { 'H100-80GB': 1 }, admit_delay_ms: 0, ready_delay_ms: 0 });
      const [holder, first, second] = [nextJob({ priorityClass: 'critical' }), nextJob(), nextJob()];
      for (const job of [holder, first, second]) await driver.apply(job);
      await driver.apply({ ...second, priorityClass: 'high' });
      await clock.advance(0);
      expect(reports(second).at(-1)).toMatchObject({ status: 'queued', queuePosition: 1 });
      expect(reports(first).at(-1)).toMatchObject({ status: 'queued', queuePosition: 2 });
      // The resync carries a change it missed too.
      await driver.reconcile([holder, { ...first, priorityClass: 'critical' }, { ...second, priorityClass: 'high' }]);
      await clock.advance(0);
      expect(reports(first).at(-1)).toMatchObject({ status: 'queued', queuePosition: 1 });
    });

    it('gives work that ran before a restart its quota back before admitting work that waited', async () => {
      const driver = await start({ gpu_capacity: { 'H100-80GB': 1 }, admit_delay_ms: 0, ready_delay_ms: 0 });
      const waited = nextJob({ status: 'queued', priorityClass: 'low' });
      const ran = nextJob({ status: 'running', priorityClass: 'low' });
      await driver.reconcile([waited, ran]);
      await clock.advance(0);
      expect(reports(ran).map((s) => s.status)).toEqual(['admitted', 'running']);
      expect(reports(waited).at(-1)).toMatchObject({ status: 'queued', queuePosition: 1 });
    });

    it('admits under the quotas it is given, borrows idle quota and reclaims it for the lender', async () => {
      const driver = await start({ gpu_capacity: { 'H100-80GB': 2 }, admit_delay_ms: 0, ready_delay_ms: 0 });
      const quota = (tenantId: string) => ({
        ...BUILT_IN_DEFAULT_QUOTA,
        tenantId,
        gpus: { 'H100-80GB': { nominal: 1, borrowingLimit: null } },
      });
      driver.updateQuotas({ defaultQuota: BUILT_IN_DEFAULT_QUOTA, tenants: [quota(tenantA), quota(tenantB)] });
      const [a1, a2] = [nextJob({ tenantId: tenantA, namespace: 'tenant-a' }), nextJob({ tenantId: tenantA, namespace: 'tenant-a' })];
      await driver.apply(a1);
      await driver.apply(a2);
      await clock.advance(0);
      expect(reports(a2)[0]).toMatchObject({ status: 'admitted', message: expect.stringContaining('borrowing 1') as unknown });
      const b1 = nextJob({ tenantId: tenantB, namespace: 'tenant-b' });
      await driver.apply(b1);
      await clock.advance(0);
      expect(reports(a2).map((s) => s.status)).toEqual(['admitted', 'running', 'preempted', 'queued']);
      expect(reports(a2)[2]?.message).toContain('due to reclamation within the cohort');
      expect(reports(b1).map((s) => s.status)).toEqual(['admitted', 'running']);
      expect(reports(a1).map((s) => s.status)).toEqual(['admitted', 'running']);
    });
  });

  it('fails jobs whose image is listed as failing, and by failure rate', async () => {
    const driver = await start({ failing_images: ['broken/'] });
    const broken = nextJob({ spec: { kind: 'container', image: 'broken/app:1', env: {}, ports: [] } });
    await driver.apply(broken);
    await clock.advance(300);
    expect(statusesOf(broken)).toEqual(['admitted', 'failed']);

    const flaky = await start({ failure_rate: 0.5 }, () => 0.1);
    const unlucky = nextJob();
    await flaky.apply(unlucky);
    await clock.advance(300);
    expect(statusesOf(unlucky)).toEqual(['admitted', 'failed']);
  });

  it('is idempotent on apply and re-reports a status the job row missed on reconcile', async () => {
    const driver = await start({});
    const job = nextJob();
    await driver.apply(job);
    await driver.apply(job);
    await clock.advance(300);
    expect(statusesOf(job)).toEqual(['admitted', 'running']);
    await driver.reconcile([{ ...job, status: 'admitted' }]);
    await clock.advance(0);
    expect(statusesOf(job)).toEqual(['admitted', 'running', 'running']);
  });

  it('forgets jobs that are no longer active on reconcile, freeing capacity', async () => {
    const driver = await start({ gpu_capacity: { 'H100-80GB': 1 } });
    const gone = nextJob();
    const waiting = nextJob();
    await driver.apply(gone);
    await driver.apply(waiting);
    await driver.reconcile([{ ...waiting, status: 'queued' }]);
    await clock.advance(300);
    expect(statusesOf(waiting)).toEqual(['queued', 'admitted', 'running']);
  });

  describe('faults, in-place updates and claims (docs/design.md#simulated-faults)', () => {
    const reportsOf = (job: JobModel) => seen.filter((s) => s.jobId === job.id);
    const cpu = { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 };

    it('reports a running service healthy with its generation rolled out', async () => {
      const driver = await start({});
      const job = nextJob({ resources: cpu });
      await driver.apply(job);
      await clock.advance(300);
      expect(reportsOf(job).at(-1)).toMatchObject({
        status: 'running',
        health: { health: 'healthy' },
        rollout: { generation: 1, complete: true, readyReplicas: 1 },
      });
    });

    it('rolls a newer generation out after the ready delay; a replicas-only change completes at once', async () => {
      const driver = await start({});
      const job = nextJob({ resources: cpu });
      await driver.apply(job);
      await clock.advance(300);
      const scaled = { ...job, generation: 2, resources: { ...cpu, replicas: 3 } };
      await driver.apply(scaled);
      await clock.advance(0);
      expect(reportsOf(job).at(-1)).toMatchObject({
        health: { health: 'healthy' },
        rollout: { generation: 2, complete: true, replicas: 3 },
      });
      const updated = { ...scaled, generation: 3, spec: { kind: 'container' as const, image: 'nginx:1.28', env: {}, ports: [] } };
      await driver.apply(updated);
      await clock.advance(0);
      expect(reportsOf(job).at(-1)).toMatchObject({ health: { health: 'progressing' }, rollout: { generation: 3, complete: false } });
      await clock.advance(200);
      expect(reportsOf(job).at(-1)).toMatchObject({ health: { health: 'healthy' }, rollout: { generation: 3, complete: true } });
      expect(statusesOf(job).filter((s) => s !== 'running')).toEqual(['admitted']);
    });

    it('never completes an update whose new spec is never_ready, and keeps a new never_ready job admitted', async () => {
      const driver = await start({ faults: [{ match: { image: 'bad-build' }, kind: 'never_ready' }] });
      const job = nextJob({ resources: cpu });
      await driver.apply(job);
      await clock.advance(300);
      await driver.apply({ ...job, generation: 2, spec: { kind: 'container', image: 'acme/bad-build:2', env: {}, ports: [] } });
      await clock.advance(10_000);
      expect(reportsOf(job).at(-1)).toMatchObject({ health: { health: 'progressing' }, rollout: { generation: 2, complete: false } });

      const stuck = nextJob({ resources: cpu, spec: { kind: 'container', image: 'acme/bad-build:1', env: {}, ports: [] } });
      await driver.apply(stuck);
      await clock.advance(10_000);
      expect(statusesOf(stuck)).toEqual(['admitted', 'admitted']);
      expect(reportsOf(stuck).at(-1)).toMatchObject({ health: { health: 'progressing', reason: 'NeverReady' } });
    });

    it('turns a running job unhealthy when a fault is added to the settings, and healthy again after for_seconds', async () => {
      const driver = await start({});
      const job = nextJob({ resources: cpu });
      await driver.apply(job);
      await clock.advance(300);
      driver.updateSettings(
        simulatedSettingsSchema.parse({
          admit_delay_ms: 100,
          ready_delay_ms: 200,
          faults: [{ match: { job_name: job.name }, kind: 'unready', after_seconds: 1, for_seconds: 2 }],
        }),
      );
      await clock.advance(999);
      expect(reportsOf(job).at(-1)?.health?.health).toBe('healthy');
      await clock.advance(1);
      expect(reportsOf(job).at(-1)).toMatchObject({ health: { health: 'unhealthy', reason: 'Unready' }, rollout: { readyReplicas: 0 } });
      await clock.advance(2_000);
      expect(reportsOf(job).at(-1)).toMatchObject({ health: { health: 'healthy' }, rollout: { readyReplicas: 1 } });
    });

    it('keeps claims across remove and re-apply, and drops them on deleteVolume', async () => {
      const driver = await start({});
      const job = nextJob({
        resources: cpu,
        spec: { kind: 'container', image: 'redis:7', env: {}, ports: [], volumes: [{ name: 'data', size: '1Gi', mount_path: '/data' }] },
      });
      await driver.apply(job);
      const uid = driver.claimUid(job.namespace, `${job.name}-data`);
      expect(uid).toEqual(expect.any(String));
      await driver.remove(job);
      await driver.apply({ ...job, id: '00000000-0000-4000-8000-999999999999' });
      expect(driver.claimUid(job.namespace, `${job.name}-data`)).toBe(uid);
      await driver.deleteVolume({
        id: 'v',
        clusterId: 'c',
        tenantId: job.tenantId,
        namespace: job.namespace,
        claimName: `${job.name}-data`,
      });
      expect(driver.claimUid(job.namespace, `${job.name}-data`)).toBeUndefined();
      await driver.deleteNamespace(job.namespace);
      expect(driver.deletedNamespaces).toEqual([job.namespace]);
    });
  });
});
