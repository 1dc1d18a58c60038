import { ManualClock, pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

type Job = {
  id: string;
  status: string;
  health: string;
  status_message: string | null;
  rollout: { generation: number; observed_generation: number };
};

/** docs/design.md#in-place-update: the rollback watchdog measures readiness_timeout_seconds on the injected clock. */
describe('rollback on the injected clock', () => {
  let h: Harness;
  let clock: ManualClock;
  let clusterId: string;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    h = await startHarness({ ROLLOUT_CHECK_MS: '1000' }, { clock });
    clusterId = await h.newSimulatedCluster(h.tenantA, { faults: [{ match: { image: 'hangs-forever' }, kind: 'never_ready' }] });
  });
  afterAll(async () => {
    await h.stop();
  });

  const read = async (id: string) => (await h.http<Job>('GET', `/api/v1/clusters/${clusterId}/jobs/${id}`)).body;
  /** Lets the simulated cluster's zero delays fire on the manual clock until the job is as wanted. */
  const settle = (id: string, accept: (job: Job) => boolean, what: string, stepMs = 0) =>
    pollUntil(
      async () => {
        await clock.advance(stepMs);
        return read(id);
      },
      accept,
      { what },
    );

  it('rolls back only once readiness_timeout_seconds have passed on the clock', async () => {
    const created = await h.http<Job>('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      body: containerJob({ policy: { readiness_timeout_seconds: 60 } }),
    });
    const job = await settle(created.body.id, (j) => j.status === 'running' && j.rollout.observed_generation === 1, 'running');
    const patched = await h.http<Job>('PATCH', `/api/v1/clusters/${clusterId}/jobs/${job.id}`, {
      body: { spec: { kind: 'container', image: 'acme/hangs-forever:2', ports: [{ port: 80 }] } },
    });
    expect(patched.body.rollout.generation).toBe(2);

    await clock.advance(59_000);
    await clock.advance(0);
    expect(await read(job.id)).toMatchObject({ health: 'progressing', rollout: { generation: 2, observed_generation: 1 } });

    // The watchdog re-arms after each check: step the clock a check at a time until it has rolled back.
    const rolledBack = await settle(job.id, (j) => j.rollout.observed_generation === 3, 'rolled back and rolled out', 1_000);
    expect(rolledBack).toMatchObject({
      status: 'running',
      health: 'healthy',
      status_message: 'generation 2 was not ready within 60s; rolled back to the spec of generation 1',
    });
  });
});
