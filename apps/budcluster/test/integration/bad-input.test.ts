import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

describe('budcluster rejects bad input with the one error shape and writes nothing', () => {
  let h: Harness;
  let clusterId: string;
  let jobId: string;
  let db: Client;
  beforeAll(async () => {
    h = await startHarness();
    clusterId = await h.newSimulatedCluster(h.tenantA);
    jobId = (await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() })).body.id;
    // The simulated cluster runs the job in the background: settled, it writes no rows while the tests count them.
    await pollUntil(
      async () => (await h.http<{ status: string }>('GET', `/api/v1/clusters/${clusterId}/jobs/${jobId}`)).body.status,
      (status) => status === 'running',
      { what: 'the fixture job running' },
    );
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.stop();
  });

  const rowCounts = async () => {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM jobs)::int AS jobs, (SELECT count(*) FROM job_events)::int AS events, (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM clusters)::int AS clusters`,
    );
    return rows[0] as Record<string, number>;
  };
  const expectError = (answer: { status: number; body: any }, status: number, code: string) => {
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ status_code: status, error: code, message: expect.any(String) });
  };

  const writeRoutes = () => [
    ['POST', `/api/v1/clusters`],
    ['PATCH', `/api/v1/clusters/${clusterId}`],
    ['POST', `/api/v1/clusters/${clusterId}/jobs`],
    ['PATCH', `/api/v1/clusters/${clusterId}/jobs/${jobId}`],
  ];

  it('answers malformed JSON with 400 on every route with a body', async () => {
    for (const [method, path] of writeRoutes()) expectError(await h.http(method, path, { raw: '{"name": ' }), 400, 'bad_request');
  });

  it('answers oversized bodies with 413', async () => {
    const huge = JSON.stringify({ name: 'x', padding: 'a'.repeat(1024 * 1024 + 10) });
    for (const [method, path] of writeRoutes()) expectError(await h.http(method, path, { raw: huge }), 413, 'payload_too_large');
  });

  it.each([
    ['an unknown field', { ...containerJob(), colour: 'red' }, 'colour', 'is not a known field'],
    ['a wrong type', { ...containerJob(), resources: { gpu_count: 'two' } }, 'resources.gpu_count', ''],
    [
      'a nested unknown field',
      { ...containerJob(), spec: { kind: 'container', image: 'nginx:1', privileged: true } },
      'spec.privileged',
      'is not a known field',
    ],
    ['a bad quantity', { ...containerJob(), resources: { memory_request: 'lots' } }, 'resources.memory_request', 'Kubernetes quantity'],
    ['a GPU count without a type', { ...containerJob(), resources: { gpu_count: 1 } }, 'resources.gpu_type', 'required'],
    ['a name that is not a DNS label', { ...containerJob(), name: 'Not_A_Label' }, 'name', 'DNS label'],
    [
      'an unsafe helm value',
      {
        name: 'h',
        spec: { kind: 'helm', chart_ref: 'oci://ghcr.io/acme/chart', values: { pods: [{ securityContext: { privileged: true } }] } },
      },
      'spec.values.pods[0].securityContext.privileged',
      '',
    ],
    [
      'a chart from the metadata service',
      { name: 'h', spec: { kind: 'helm', chart_ref: 'https://169.254.169.254/charts/x' } },
      'spec.chart_ref',
      '',
    ],
  ])('answers a job with %s with 422 naming the field', async (_name, body, path, message) => {
    const before = await rowCounts();
    const answer = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body });
    expectError(answer, 422, 'validation_failed');
    expect(answer.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]),
    );
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a system namespace or another tenant's default namespace with 422 naming k8s_namespace, and writes nothing", async () => {
    const before = await rowCounts();
    for (const namespace of ['kube-system', 'default', 'bud-system', `bud-${'0'.repeat(12)}`]) {
      const answer = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob({ k8s_namespace: namespace }) });
      expectError(answer, 422, 'validation_failed');
      expect(answer.body.details).toEqual([{ path: 'k8s_namespace', message: expect.any(String) }]);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('answers bad UUIDs in paths with 422', async () => {
    for (const path of [`/api/v1/clusters/nope`, `/api/v1/clusters/nope/jobs`, `/api/v1/clusters/${clusterId}/jobs/123`]) {
      const answer = await h.http('GET', path);
      expectError(answer, 422, 'validation_failed');
      expect(answer.body.details[0].path).toMatch(/cluster_id|job_id|id/);
    }
  });

  it("answers unknown ids and other tenants' ids with 404 on every route", async () => {
    const missing = randomUUID();
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/clusters/${missing}`],
      ['GET', `/api/v1/clusters/${missing}/jobs`],
      ['GET', `/api/v1/clusters/${clusterId}/jobs/${missing}`],
      ['PATCH', `/api/v1/clusters/${clusterId}/jobs/${missing}`, { labels: {} }],
      ['DELETE', `/api/v1/clusters/${clusterId}/jobs/${missing}`],
      ['POST', `/api/v1/clusters/${clusterId}/jobs/${missing}/retry`],
    ];
    for (const [method, path, body] of routes) expectError(await h.http(method, path, { body }), 404, 'not_found');
    const foreign: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/clusters/${clusterId}`],
      ['PATCH', `/api/v1/clusters/${clusterId}`, { ingress_url: 'https://x.example.com' }],
      ['DELETE', `/api/v1/clusters/${clusterId}`],
      ['GET', `/api/v1/clusters/${clusterId}/jobs`],
      ['POST', `/api/v1/clusters/${clusterId}/jobs`, containerJob()],
      ['GET', `/api/v1/clusters/${clusterId}/jobs/${jobId}`],
      ['PATCH', `/api/v1/clusters/${clusterId}/jobs/${jobId}`, { labels: {} }],
      ['DELETE', `/api/v1/clusters/${clusterId}/jobs/${jobId}`],
      ['POST', `/api/v1/clusters/${clusterId}/jobs/${jobId}/retry`],
      ['GET', `/api/v1/clusters/${clusterId}/schedule?start=2026-01-01T00:00:00Z&end=2026-02-01T00:00:00Z`],
    ];
    for (const [method, path, body] of foreign) expectError(await h.http(method, path, { body, caller: h.tenantB }), 404, 'not_found');
    // Tenant B's jobs on the shared local cluster are invisible to tenant A too.
    const theirs = await h.http('POST', `/api/v1/clusters/${h.localClusterId}/jobs`, { body: containerJob(), caller: h.tenantB });
    expect(theirs.status).toBe(201);
    expectError(await h.http('GET', `/api/v1/clusters/${h.localClusterId}/jobs/${theirs.body.id}`), 404, 'not_found');
    const listed = await h.http('GET', `/api/v1/clusters/${h.localClusterId}/jobs?page_size=100`);
    expect(listed.body.items.map((j: { id: string }) => j.id)).not.toContain(theirs.body.id);
    // Settled, like the fixture job: the later tests count rows while nothing else writes.
    await pollUntil(
      async () =>
        (await h.http<{ status: string }>('GET', `/api/v1/clusters/${h.localClusterId}/jobs/${theirs.body.id}`, { caller: h.tenantB })).body
          .status,
      (status) => status === 'running',
      { what: "tenant B's job running" },
    );
  });

  it.each([
    'page=0',
    'page_size=0',
    'page_size=101',
    'page=abc',
    'status=sleeping',
    'labels=novalue',
    'usecase_deployment_id=42',
    'bogus=1',
  ])('answers the list query %s with 422', async (query) => {
    const answer = await h.http('GET', `/api/v1/clusters/${clusterId}/jobs?${query}`);
    expectError(answer, 422, 'validation_failed');
    expect(answer.body.details[0].path).toMatch(new RegExp(`^query\\.${query.split('=')[0]}(\\[|$)`));
  });

  it('answers an inverted schedule window with 422', async () => {
    const answer = await h.http('GET', `/api/v1/clusters/${clusterId}/schedule?start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z`);
    expectError(answer, 422, 'validation_failed');
    expect(answer.body.details[0].path).toBe('query.end');
  });

  it('answers illegal transitions with 409 invalid_transition', async () => {
    expectError(await h.http('POST', `/api/v1/clusters/${clusterId}/jobs/${jobId}/retry`), 409, 'invalid_transition');
  });

  it('answers a missing or forged token with 401', async () => {
    expectError(await h.http('GET', `/api/v1/clusters`, { caller: null as never }), 401, 'unauthenticated');
    expectError(
      await h.http('GET', `/api/v1/clusters`, { caller: { ...h.tenantA, token: `${h.tenantA.token}x` } }),
      401,
      'unauthenticated',
    );
  });

  it('answers a caller without the needed scope with 403, and a shared cluster needs platform:admin', async () => {
    const viewer = await h.caller(['job:view'], h.tenantA.tenantId);
    expectError(await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob(), caller: viewer }), 403, 'forbidden');
    expect((await h.http('GET', `/api/v1/clusters/${clusterId}/jobs`, { caller: viewer })).status).toBe(200);
    expectError(
      await h.http('POST', `/api/v1/clusters`, { body: { name: 'shared-x', type: 'simulated', shared: true } }),
      403,
      'forbidden',
    );
    expect(
      (await h.http('POST', `/api/v1/clusters`, { body: { name: 'shared-x', type: 'simulated', shared: true }, caller: h.admin })).status,
    ).toBe(201);
  });

  it('refuses an unreachable kubeconfig with 422 and the reason, storing nothing', async () => {
    const before = await rowCounts();
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      'clusters: [{name: k, cluster: {server: "https://192.0.2.1:6443"}}]',
      'users: [{name: u, user: {token: abc}}]',
      'contexts: [{name: c, context: {cluster: k, user: u}}]',
    ].join('\n');
    const answer = await h.http('POST', `/api/v1/clusters`, { body: { name: 'real', type: 'kubernetes', kubeconfig } });
    expectError(answer, 422, 'validation_failed');
    expect(answer.body.details[0].path).toBe('kubeconfig.clusters[0].cluster.server');
    expect(answer.body.message).toMatch(/could not be reached/);
    expect(JSON.stringify(answer.body)).not.toContain('abc');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses to delete a cluster with active jobs unless forced, then fails them with a clear message', async () => {
    const doomed = await h.newSimulatedCluster(h.tenantA);
    const job = await h.http('POST', `/api/v1/clusters/${doomed}/jobs`, { body: containerJob() });
    expectError(await h.http('DELETE', `/api/v1/clusters/${doomed}`), 409, 'conflict');
    expect((await h.http('DELETE', `/api/v1/clusters/${doomed}?force=true`)).status).toBe(204);
    const { rows } = await db.query(
      `SELECT event->'data'->>'status_message' AS message FROM outbox WHERE event->'data'->>'job_id' = $1 AND event->>'type' = 'bud.job.failed'`,
      [job.body.id],
    );
    expect(rows[0]?.message).toMatch(/was deleted/);
  });

  it('answers unknown routes with 404 in the same shape', async () => {
    expectError(await h.http('GET', '/api/v1/nothing-here'), 404, 'not_found');
  });
});
