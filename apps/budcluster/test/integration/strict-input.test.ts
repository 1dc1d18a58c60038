import { expectValidation } from '@bud/testing';
import { SignJWT } from 'jose';
import { JWT_SECRET, containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

describe('budcluster refuses what it would otherwise ignore', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness();
    clusterId = await h.newSimulatedCluster(h.tenantA);
  });
  afterAll(() => h.stop());

  it('answers without an ETag digest or an x-powered-by banner', async () => {
    const response = await fetch(`${h.service.url}/api/v1/clusters/${clusterId}`, {
      headers: { authorization: `Bearer ${h.tenantA.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  describe('unknown query parameters', () => {
    it('asks who is calling before it judges the query: no token and a bad query is a 401', async () => {
      const answer = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?sort=name`, { caller: null as never });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: 'unauthenticated' });
    });

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

  describe('quantities beyond the bounds', () => {
    it.each([
      ['a quadrillion CPUs', { resources: { cpu_request: '1000000000000000' } }, 'resources.cpu_request'],
      ['a CPU limit over 1024 cores', { resources: { cpu_limit: '1025' } }, 'resources.cpu_limit'],
      ['memory over 16Ti', { resources: { memory_request: '17Ti' } }, 'resources.memory_request'],
      ['storage over 1Pi', { resources: { storage: '2Pi' } }, 'resources.storage'],
      [
        'a volume over 1Pi',
        { spec: { kind: 'container', image: 'nginx:1.27', volumes: [{ name: 'data', mount_path: '/data', size: '9E' }] } },
        'spec.volumes[0].size',
      ],
      ['more than 64 GPUs', { resources: { gpu_type: 'A100-80GB', gpu_count: 65 } }, 'resources.gpu_count'],
      ['more than 1000 replicas', { resources: { replicas: 1001 } }, 'resources.replicas'],
    ])('answers a job asking for %s with 422 naming the field', async (_name, overrides, path) => {
      expectValidation(await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob(overrides) }), path);
    });

    it('prices the largest job it accepts exactly, even at the highest prices', async () => {
      const pricey = await h.newSimulatedCluster(h.tenantA);
      const prices = { gpu_hour: {}, vcpu_hour: 0.0055, memory_gib_hour: 0 };
      expect((await h.http('PATCH', `/api/v1/clusters/${pricey}`, { body: { price_table: prices } })).status).toBe(200);
      const resources = { cpu_request: '3m', memory_request: '0', replicas: 1 };
      const job = await h.http('POST', `/api/v1/clusters/${pricey}/jobs`, { body: containerJob({ resources }) });
      expect(job.status).toBe(201);
      // 0.003 cores × $0.0055 is exactly 16.5 micro-dollars, which rounds half up; in floating point it is 16.4999….
      expect(job.body.estimated_cost_per_hour).toBe('0.000017');

      const absurd = { gpu_hour: { 'A100-80GB': 1_000_000 }, vcpu_hour: 1_000_000, memory_gib_hour: 1_000_000 };
      expect((await h.http('PATCH', `/api/v1/clusters/${pricey}`, { body: { price_table: absurd } })).status).toBe(200);
      const biggest = { gpu_type: 'A100-80GB', gpu_count: 64, cpu_request: '1024', memory_request: '16Ti', replicas: 1000 };
      const refused = await h.http('POST', `/api/v1/clusters/${pricey}/jobs`, { body: containerJob({ resources: biggest }) });
      expectValidation(refused, 'resources');
      expect(refused.body.details[0].message).toMatch(/per hour/);
    });
  });

  describe('token lifetimes', () => {
    const tokenWith = async (times: { iat?: number; exp?: number }) => {
      const jwt = new SignJWT({ tenant_id: h.tenantA.tenantId, scopes: ['job:view'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(h.tenantA.userId);
      if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
      if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
      return { ...h.tenantA, token: await jwt.sign(new TextEncoder().encode(JWT_SECRET)) };
    };
    const now = () => Math.floor(Date.now() / 1000);

    it.each([
      ['no exp', { iat: now() }],
      ['a lifetime over 24 hours', { iat: now(), exp: now() + 25 * 3600 }],
      ['no iat and an exp more than 24 hours away', { exp: now() + 48 * 3600 }],
    ])('answers a token with %s with 401 in the error shape', async (_name, times) => {
      const answer = await h.http('GET', '/api/v1/clusters', { caller: await tokenWith(times) });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ status_code: 401, error: 'unauthenticated', message: expect.stringMatching(/exp|lifetime/) });
    });

    it('accepts a token of an hour, and the test helpers mint such tokens', async () => {
      expect((await h.http('GET', '/api/v1/clusters', { caller: await tokenWith({ iat: now(), exp: now() + 3600 }) })).status).toBe(200);
      expect((await h.http('GET', '/api/v1/clusters')).status).toBe(200);
    });
  });

  describe('bodies that are not JSON', () => {
    it.each([
      ['text/plain', 'PATCH', '/api/v1/clusters/{cluster}'],
      ['application/x-www-form-urlencoded', 'PATCH', '/api/v1/clusters/{cluster}'],
      ['text/plain', 'POST', '/api/v1/clusters/{cluster}/jobs'],
      ['application/xml', 'POST', '/api/v1/clusters'],
    ])('answers a %s body on %s %s with 415, changing nothing', async (contentType, method, path) => {
      const before = (await h.http('GET', `/api/v1/clusters/${clusterId}`)).body;
      const raw = JSON.stringify({ ingress_url: 'https://changed.example.com', ...containerJob(), type: 'simulated' });
      const answer = await h.http(method, path.replace('{cluster}', clusterId), { raw, headers: { 'content-type': contentType } });
      expect(answer.status).toBe(415);
      expect(answer.body).toMatchObject({
        status_code: 415,
        error: 'unsupported_media_type',
        message: expect.stringContaining('application/json'),
      });
      expect((await h.http('GET', `/api/v1/clusters/${clusterId}`)).body).toEqual(before);
    });

    it('answers a route that needs a body, sent none, with 422', async () => {
      for (const path of [
        `/api/v1/clusters/${clusterId}`,
        `/api/v1/clusters/${clusterId}/jobs/${(await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() })).body.id}`,
      ]) {
        const answer = await h.http('PATCH', path);
        expectValidation(answer, '(root)');
        expect(answer.body.message).toMatch(/body is required/);
      }
    });

    it('still takes JSON with a charset and +json types, and body-less actions', async () => {
      const answer = await h.http('PATCH', `/api/v1/clusters/${clusterId}`, {
        raw: JSON.stringify({ ingress_url: 'https://ok.example.com' }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(answer.status).toBe(200);
      const plus = await h.http('PATCH', `/api/v1/clusters/${clusterId}`, {
        raw: JSON.stringify({ ingress_url: 'https://ok2.example.com' }),
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(plus.status).toBe(200);
      const job = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
      expect((await h.http('DELETE', `/api/v1/clusters/${clusterId}/jobs/${job.body.id}`)).status).toBe(202);
    });
  });

  describe('reserved labels and shell characters in chart references', () => {
    it.each(['bud.ai/tenant-id', 'bud.ai/job-id', 'usecases.bud.ai/template', 'app.kubernetes.io/managed-by', 'kueue.x-k8s.io/queue-name'])(
      'answers a job labelled %s with 422 naming the label, on create and on patch',
      async (key) => {
        const path = `labels[${JSON.stringify(key)}]`;
        expectValidation(
          await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob({ labels: { [key]: 'x' } }) }),
          path,
        );
        const job = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob({ labels: { team: 'a' } }) });
        expectValidation(
          await h.http('PATCH', `/api/v1/clusters/${clusterId}/jobs/${job.body.id}`, { body: { labels: { [key]: 'x' } } }),
          path,
        );
      },
    );

    it.each([
      'oci://ghcr.io/acme/chart;reboot',
      'oci://ghcr.io/acme/$(id)',
      'https://charts.example.com/a/`id`',
      'oci://ghcr.io/acme/chart|sh',
    ])('answers a helm job with chart_ref %s with 422 naming spec.chart_ref', async (chartRef) => {
      const body = { name: 'h', spec: { kind: 'helm', chart_ref: chartRef } };
      expectValidation(await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body }), 'spec.chart_ref');
    });
  });
});
