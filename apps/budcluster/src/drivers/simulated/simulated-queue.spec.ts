import { makeJob } from '../../../test/support/job-model.builder';
import { BUILT_IN_DEFAULT_QUOTA } from '../../domain/quota-model';
import { SimulatedQueue, demandOf, workloadNameOf } from './simulated-queue';

const gpuJob = (id: string, gpus = 1) =>
  makeJob({
    id,
    resources: { gpu_type: 'H100-80GB', gpu_count: gpus, cpu_request: '500m', memory_request: '1Gi', replicas: 2 },
  });

describe('demandOf', () => {
  it('counts GPUs, CPU and memory over all replicas', () => {
    expect(demandOf(gpuJob('00000000-0000-4000-8000-000000000001'))).toEqual({
      product: 'H100-80GB',
      gpus: 2,
      cpuMillis: 1000,
      memoryBytes: 2 * 2 ** 30,
    });
  });

  it('has no GPU product for CPU-only work, and counts a scaled-to-zero service as one replica', () => {
    const job = makeJob({ resources: { gpu_type: 'H100-80GB', gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 0 } });
    expect(demandOf(job)).toEqual({ product: null, gpus: 0, cpuMillis: 1000, memoryBytes: 2 ** 30 });
  });
});

describe('workloadNameOf', () => {
  it("names the Workload as Kueue names a Job's: job-<object name>-<5 hex>, stable for the job", () => {
    const job = makeJob();
    expect(workloadNameOf(job)).toMatch(new RegExp(`^job-${job.resourceName}-[0-9a-f]{5}$`));
    expect(workloadNameOf(job)).toBe(workloadNameOf({ ...job }));
    expect(workloadNameOf(makeJob({ id: '00000000-0000-4000-8000-000000000009' }))).not.toBe(workloadNameOf(job));
  });
});

describe('SimulatedQueue', () => {
  it('lets CPU-only work pass while GPU work waits, and counts its CPU once a CPU limit is set', () => {
    const queue = new SimulatedQueue({ 'H100-80GB': 2 });
    const web = makeJob({ id: '00000000-0000-4000-8000-00000000000a' });
    queue.enqueue(gpuJob('00000000-0000-4000-8000-000000000001'), 0);
    queue.enqueue(gpuJob('00000000-0000-4000-8000-000000000002'), 1);
    queue.enqueue(web, 2);
    const first = queue.step(2);
    expect(first.admit.map((entry) => entry.workloadId)).toEqual(['00000000-0000-4000-8000-000000000001', web.id]);
    expect(first.positions.get('00000000-0000-4000-8000-000000000002')?.position).toBe(1);

    queue.setQuotas({
      defaultQuota: { ...BUILT_IN_DEFAULT_QUOTA, cpuMillis: { nominal: 1500, borrowingLimit: 0 } },
      tenants: [],
    });
    // The GPU job (1 core) and the service (1 core) now hold 2 of 1.5 cores: nothing is evicted, new CPU work waits.
    queue.enqueue(makeJob({ id: '00000000-0000-4000-8000-00000000000b' }), 3);
    const second = queue.step(3);
    expect(second.admit).toEqual([]);
    expect(second.preempt).toEqual([]);
    expect(second.positions.get('00000000-0000-4000-8000-00000000000b')?.message).toContain(
      'insufficient unused quota for cpu in flavor default',
    );
    queue.forget(web.id);
    queue.forget('00000000-0000-4000-8000-000000000001');
    const third = queue.step(4);
    expect(third.admit.map((entry) => entry.workloadId)).toEqual(['00000000-0000-4000-8000-000000000002']);
    // It holds 1 of the 1.5 cores: the service's core is half a core too many.
    expect(third.positions.get('00000000-0000-4000-8000-00000000000b')?.message).toContain('cpu in flavor default, 500m more needed');
  });
});
