import { pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * A subscriber that answers errors gets every event again once it recovers, and a failed event does
 * not hold back the later events of the same job for the relay's lease (set far beyond the deadline here).
 */
describe('job events after a failing subscriber', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ OUTBOX_LEASE_MS: '600000' });
  });
  afterAll(() => h.stop());

  it('redelivers the failed event and the job events behind it soon after the subscriber recovers', async () => {
    const clusterId = await h.newSimulatedCluster(h.tenantA);
    h.subscriber.failNext = Number.MAX_SAFE_INTEGER;
    const created = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
    expect(created.status).toBe(201);
    const jobId = created.body.id as string;
    await pollUntil(
      async () => (await h.http('GET', `/api/v1/clusters/${clusterId}/jobs/${jobId}`)).body.status,
      (s) => s === 'running',
      { what: 'job running' },
    );
    const refusedBefore = h.subscriber.arrivals;
    await pollUntil(
      () => h.subscriber.arrivals,
      (n) => n > refusedBefore,
      { what: 'a redelivery refused' },
    );

    h.subscriber.failNext = 0;
    const statuses = () =>
      h.subscriber.received
        .filter((e) => (e.data as { job_id: string }).job_id === jobId)
        .map((e) => (e.data as { status: string }).status);
    // At least once, in any order: consumers fold by job version.
    const delivered = await pollUntil(
      () => [...new Set(statuses())].sort(),
      (seen) => seen.length === 3,
      { what: 'every event of the job delivered', timeoutMs: 20_000 },
    );
    expect(delivered).toEqual(['admitted', 'pending', 'running']);
  });
});
