import { simulatedSettingsSchema } from '@bud/contracts';
import { ManualClock } from '@bud/testing';
import type { JobModel } from '../../domain/job-model';
import { BUILT_IN_DEFAULT_QUOTA } from '../../domain/quota-model';
import type { ClusterQuotas } from '../../domain/quota-model';
import { makeJob } from '../../../test/support/job-model.builder';
import { SimulatedDriver } from './simulated-driver';

const TENANT_A = '0a000000-0000-4000-8000-00000000000a';
const TENANT_B = '0b000000-0000-4000-8000-00000000000b';
/** Enough 1-GPU slots that both weights' shares are whole numbers of GPUs (12:12, 16:8). */
const GPUS = 24;
const RUN_MS = 1000;
const TICK_MS = 100;
/** Each tenant keeps this many jobs waiting: both streams ask for more than the cluster has, always. */
const BACKLOG = 8;

const quotas = (weightA: number, weightB: number): ClusterQuotas => ({
  defaultQuota: BUILT_IN_DEFAULT_QUOTA,
  tenants: [
    { ...BUILT_IN_DEFAULT_QUOTA, tenantId: TENANT_A, weight: weightA },
    { ...BUILT_IN_DEFAULT_QUOTA, tenantId: TENANT_B, weight: weightB },
  ],
});

/**
 * The seed's fair-share target (issue 12): two tenants keep a cluster saturated with equal streams of jobs; each
 * tenant's share of the GPU-time stays within 5% of its weight's share. Computed from the driver's reports on a
 * ManualClock: no timing involved.
 */
describe('fair sharing on the simulated cluster', () => {
  let clock: ManualClock;
  let driver: SimulatedDriver;
  /** Per job: its tenant and when it started and stopped holding its GPU. */
  const held = new Map<string, { tenantId: string; from?: number; to?: number }>();
  let seq = 0;

  const submit = async (tenantId: string) => {
    const id = `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
    const job: JobModel = makeJob({
      id,
      name: `stream-${seq}`,
      tenantId,
      namespace: tenantId === TENANT_A ? 'tenant-a' : 'tenant-b',
      jobType: 'batch',
      status: 'pending',
      resources: { gpu_type: 'H100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 },
    });
    held.set(id, { tenantId });
    await driver.apply(job);
  };

  /** Each tenant's share of the GPU-time held between two instants. */
  const shares = (from: number, to: number) => {
    const time = new Map<string, number>([
      [TENANT_A, 0],
      [TENANT_B, 0],
    ]);
    for (const job of held.values()) {
      if (job.from === undefined) continue;
      const span = Math.min(job.to ?? to, to) - Math.max(job.from, from);
      if (span > 0) time.set(job.tenantId, (time.get(job.tenantId) ?? 0) + span);
    }
    const total = (time.get(TENANT_A) ?? 0) + (time.get(TENANT_B) ?? 0);
    return { a: (time.get(TENANT_A) ?? 0) / total, b: (time.get(TENANT_B) ?? 0) / total, utilisation: total / (GPUS * (to - from)) };
  };

  const waitingOf = (tenantId: string) => [...held.values()].filter((job) => job.tenantId === tenantId && job.from === undefined).length;

  /** Both streams for `ms`: every tick, each tenant tops its backlog up to BACKLOG jobs, B first as often as A. */
  const stream = async (ms: number) => {
    for (let elapsed = 0; elapsed < ms; elapsed += TICK_MS) {
      const order = (elapsed / TICK_MS) % 2 === 0 ? [TENANT_A, TENANT_B] : [TENANT_B, TENANT_A];
      for (const tenantId of order) while (waitingOf(tenantId) < BACKLOG) await submit(tenantId);
      await clock.advance(TICK_MS);
    }
  };

  beforeAll(async () => {
    clock = new ManualClock();
    driver = new SimulatedDriver(
      'c',
      simulatedSettingsSchema.parse({ admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: RUN_MS, gpu_capacity: { 'H100-80GB': GPUS } }),
      clock,
      () => 0.99,
    );
    await driver.start(async (observed) => {
      const job = held.get(observed.jobId);
      if (!job) return;
      if (observed.status === 'running') job.from = clock.now();
      if (observed.status === 'succeeded' || observed.status === 'preempted') job.to = clock.now();
    });
  });
  afterAll(() => driver.stop());

  const within5Percent = (share: number, weightShare: number) => expect(Math.abs(share / weightShare - 1)).toBeLessThanOrEqual(0.05);

  it('gives weights 1:1 half the GPU-time each', async () => {
    driver.updateQuotas(quotas(1, 1));
    await stream(10 * RUN_MS);
    const start = clock.now();
    await stream(40 * RUN_MS);
    const measured = shares(start, clock.now());
    expect(measured.utilisation).toBeGreaterThan(0.99);
    within5Percent(measured.a, 1 / 2);
    within5Percent(measured.b, 1 / 2);
  });

  it('gives weights 2:1 two thirds and one third once the weights change', async () => {
    driver.updateQuotas(quotas(2, 1));
    await stream(10 * RUN_MS);
    const start = clock.now();
    await stream(40 * RUN_MS);
    const measured = shares(start, clock.now());
    expect(measured.utilisation).toBeGreaterThan(0.99);
    within5Percent(measured.a, 2 / 3);
    within5Percent(measured.b, 1 / 3);
  });
});
