import { simulatedSettingsSchema } from '@bud/contracts';
import { ManualClock } from '@bud/testing';
import type { JobModel, ObservedStatus } from '../../domain/job-model';
import { BUILT_IN_DEFAULT_QUOTA } from '../../domain/quota-model';
import type { ClusterQuotas } from '../../domain/quota-model';
import { makeJob } from '../../../test/support/job-model.builder';
import { SimulatedDriver } from './simulated-driver';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

/** docs/design.md#quotas: what an admitted workload may not take, and what a restart may not take from it. */
describe('simulated quota guards', () => {
  let clock: ManualClock;
  let seen: ObservedStatus[];
  let seq = 0;
  const nextJob = (tenantId: string, resources: Partial<JobModel['resources']> = {}): JobModel =>
    makeJob(
      {
        id: `00000000-0000-4000-8000-${String((seq += 1)).padStart(12, '0')}`,
        name: `job-${seq}`,
        tenantId,
        namespace: tenantId === A ? 'tenant-a' : 'tenant-b',
        resources: { gpu_type: 'H100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1, ...resources },
        status: 'pending',
      },
      { kind: 'container', image: 'nginx:1.27', env: {}, ports: [{ port: 80, protocol: 'TCP' }] },
    );
  const quotaOfA = (nominal: number): ClusterQuotas => ({
    defaultQuota: BUILT_IN_DEFAULT_QUOTA,
    tenants: [
      { tenantId: A, gpus: { 'H100-80GB': { nominal, borrowingLimit: 0 } }, cpuMillis: null, memoryBytes: null, weight: 1, cohort: true },
    ],
  });
  const start = async (): Promise<SimulatedDriver> => {
    const settings = simulatedSettingsSchema.parse({ admit_delay_ms: 0, ready_delay_ms: 0, gpu_capacity: { 'H100-80GB': 8 } });
    const driver = new SimulatedDriver('c', settings, clock, () => 0.99);
    await driver.start(async (observed) => void seen.push(observed));
    return driver;
  };
  const statusesOf = (job: JobModel) => seen.filter((s) => s.jobId === job.id).map((s) => s.status);
  beforeEach(() => {
    clock = new ManualClock();
    seen = [];
  });

  it('grants a scale-up of an admitted job no GPUs past its quota: the next tenant is still admitted', async () => {
    const driver = await start();
    driver.updateQuotas(quotaOfA(1));
    const a = nextJob(A);
    await driver.apply(a);
    await clock.advance(1);
    await driver.apply({ ...a, status: 'running', generation: 2, resources: { ...a.resources, replicas: 1000 } });
    await clock.advance(1);
    const b = nextJob(B);
    await driver.apply(b);
    await clock.advance(1);
    expect(statusesOf(b)).toEqual(['admitted', 'running']);
  });

  it('keeps running work admitted across a restart, however far its quota was lowered meanwhile', async () => {
    const driver = await start();
    driver.updateQuotas(quotaOfA(4));
    const jobs = [nextJob(A), nextJob(A), nextJob(A), nextJob(A)];
    for (const job of jobs) await driver.apply(job);
    await clock.advance(1);
    await driver.stop();
    seen = [];
    const restarted = await start();
    restarted.updateQuotas(quotaOfA(2));
    await restarted.reconcile(jobs.map((job) => ({ ...job, status: 'running' as const })));
    await clock.advance(1);
    expect(seen.filter((s) => s.status === 'queued' || s.status === 'preempted')).toEqual([]);
    expect(jobs.map((job) => statusesOf(job).at(-1))).toEqual(['running', 'running', 'running', 'running']);
  });

  it('keeps the order of waiting work across a restart: each job queues from when it was queued', async () => {
    const driver = await start();
    driver.updateQuotas(quotaOfA(1));
    const holder = nextJob(A);
    await driver.apply(holder);
    await clock.advance(1);
    // Ids against the order of arrival, so a tie broken by id would reverse them.
    const waiting = ['ffffffff', '88888888', '11111111'].map((head) => ({ ...nextJob(A), id: `${head}-0000-4000-8000-000000000001` }));
    const queuedAt = new Map<string, number>();
    for (const job of waiting) {
      queuedAt.set(job.id, clock.now());
      await driver.apply(job);
      await clock.advance(1000);
    }
    const position = (job: JobModel) => seen.filter((s) => s.jobId === job.id && s.status === 'queued').at(-1)?.queuePosition;
    expect(waiting.map(position)).toEqual([1, 2, 3]);
    await driver.stop();
    const restarted = await start();
    restarted.updateQuotas(quotaOfA(1));
    // Reversed, as a resync might list them: the recorded queued_at decides, not the order of arrival.
    await restarted.reconcile([
      { ...holder, status: 'running' },
      ...[...waiting].reverse().map((job) => ({ ...job, status: 'queued' as const, queuedAt: queuedAt.get(job.id) ?? null })),
    ]);
    await clock.advance(1);
    expect(waiting.map(position)).toEqual([1, 2, 3]);
  });
});
