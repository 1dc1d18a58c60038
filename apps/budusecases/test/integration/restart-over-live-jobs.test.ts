import { jobResponseSchema, pageOf } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';

/**
 * A failed deployment (on_failure=stop) keeps its other components running; starting it again runs a new job per
 * component, which asks for the same claims and helm release names. budcluster refuses a second active holder of those
 * (docs/design.md#object-names), so the start must end the earlier run's jobs of a component before its new one.
 */
describe('starting a failed deployment whose other components still run', () => {
  let h: UsecasesHarness;
  beforeAll(async () => {
    h = await startUsecasesHarness();
  });
  afterAll(() => h.stop());

  it('ends the earlier run’s live jobs of each component and reaches running', async () => {
    const flaky = await fastCluster(h, h.tenantA, { failing_images: ['vllm'] });
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(flaky) });
    const failed = await waitForStatus(h, created.body.id, 'failed');
    const before = Object.fromEntries(failed.components.map((c: { id: string; job_id: string | null }) => [c.id, c.job_id]));
    const jobsOf = async () =>
      (
        await h.clusterHttp('GET', `/api/v1/clusters/${flaky}/jobs?usecase_deployment_id=${created.body.id}&page_size=100`, {
          schema: pageOf(jobResponseSchema),
        })
      ).body.items;
    // The helm vector-db (release_name vector-db) still runs: the new run's vector-db asks for the same release.
    expect((await jobsOf()).find((j) => j.id === before['vector-db'])?.status).toBe('running');

    await h.clusterHttp('PATCH', `/api/v1/clusters/${flaky}`, { body: { settings: { failing_images: [] } } });
    expect((await h.http('POST', `/api/v1/deployments/${created.body.id}/start`)).status).toBe(202);
    const running = await waitForStatus(h, created.body.id, 'running');
    const after = Object.fromEntries(running.components.map((c: { id: string; job_id: string | null }) => [c.id, c.job_id]));
    expect(after['vector-db']).not.toBe(before['vector-db']);
    const jobs = await pollUntil(jobsOf, (items) => items.find((j) => j.id === before['vector-db'])?.status === 'cancelled', {
      what: 'the earlier vector-db job cancelled',
    });
    // One live job per component: the new run's.
    const live = jobs.filter((j) => ['pending', 'queued', 'admitted', 'running'].includes(j.status));
    expect(live.map((j) => j.id).sort()).toEqual(Object.values(after).sort());
  });
});
