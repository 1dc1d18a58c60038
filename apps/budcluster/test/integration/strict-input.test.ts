import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

describe('budcluster refuses what it would otherwise ignore', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness();
    clusterId = await h.newSimulatedCluster(h.tenantA);
  });
  afterAll(() => h.stop());

  const expectValidation = (answer: { status: number; body: any }, path: string) => {
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ status_code: 422, error: 'validation_failed' });
    expect(answer.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  };

  describe('unknown query parameters', () => {
    it('answers a cancel with ?dry_run=true with 422 naming it, and leaves the job running', async () => {
      const job = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
      expectValidation(await h.http('DELETE', `/api/v1/clusters/${clusterId}/jobs/${job.body.id}?dry_run=true`), 'query.dry_run');
      const after = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs/${job.body.id}`);
      expect(after.body.status).not.toBe('cancelled');
    });

    it.each([
      ['GET', '/api/v1/clusters/{cluster}?verbose=1', 'query.verbose'],
      ['GET', '/api/v1/clusters?page=1&bogus=1', 'query.bogus'],
      ['PATCH', '/api/v1/clusters/{cluster}?dry_run=true', 'query.dry_run'],
      ['DELETE', '/api/v1/clusters/{cluster}?force=true&cascade=true', 'query.cascade'],
      ['POST', '/api/v1/clusters/{cluster}/jobs?dry_run=true', 'query.dry_run'],
      ['GET', '/api/v1/clusters/{cluster}/jobs?status=running&sort=name', 'query.sort'],
      ['GET', '/healthz?probe=1', 'query.probe'],
    ])('answers %s %s with 422', async (method, path, detail) => {
      const body = method === 'PATCH' ? { ingress_url: 'https://x.example.com' } : method === 'POST' ? containerJob() : undefined;
      expectValidation(await h.http(method, path.replace('{cluster}', clusterId), { body }), detail);
    });

    it('still answers declared query parameters', async () => {
      expect((await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?page=1&page_size=5&status=running,queued`)).status).toBe(200);
      expect(
        (await h.http('GET', `/api/v1/clusters/${clusterId}/schedule?start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z`)).status,
      ).toBe(200);
    });
  });
});
