import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { errorBodySchema, jobResponseSchema, pageOf, scheduleResponseSchema } from '@bud/contracts';
import { newServiceCaller, pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

const job = { schema: jobResponseSchema };
const jobPage = { schema: pageOf(jobResponseSchema) };
const refusal = { schema: errorBodySchema };

describe('jobs API on a simulated cluster', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness();
    clusterId = await h.newSimulatedCluster(h.tenantA);
  });
  afterAll(() => h.stop());

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const getJob = async (id: string) => (await h.http('GET', `${jobsPath()}/${id}`, job)).body;

  it('creates a service job with an estimated cost and drives it to running with outputs and history', async () => {
    const created = await h.http('POST', jobsPath(), {
      ...job,
      body: containerJob({ resources: { gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '2', memory_request: '8Gi' } }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending',
      deployment_type: 'docker',
      priority_class: 'normal',
      priority: 10,
      version: 1,
      created_by: h.tenantA.userId,
    });
    // 2.5 (A100) + 2 × 0.04 + 8 × 0.005 from the default price table
    expect(created.body.estimated_cost_per_hour).toBe('2.620000');
    const running = await pollUntil(
      () => getJob(created.body.id),
      (job) => job.status === 'running',
      { what: 'job running' },
    );
    expect(running.outputs).toMatchObject({ port: 80, service: created.body.k8s_resource_name });
    expect(running.outputs.url).toMatch(/^http:\/\//);
    expect(running.events?.map((e: { to_status: string }) => e.to_status)).toEqual(['pending', 'admitted', 'running']);
    expect(running.started_at).not.toBeNull();
  });

  it('runs a batch job to succeeded; its actual_cost is the running sum of its usage ledger, not a charge at completion', async () => {
    // Two seconds on an A100 ($2.50/h): a charge at completion would be $0.001389 before the meter reached that minute.
    const slow = await h.newSimulatedCluster(h.tenantA, { batch_run_ms: 2000 });
    const created = await h.http('POST', `/api/v1/clusters/${slow}/jobs`, {
      ...job,
      body: containerJob({
        job_type: 'batch',
        spec: { kind: 'container', image: 'busybox:1.36', command: ['true'] },
        resources: { gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi' },
      }),
    });
    expect(created.status).toBe(201);
    const done = await pollUntil(
      async () => (await h.http('GET', `/api/v1/clusters/${slow}/jobs/${created.body.id}`, job)).body,
      (job) => job.status === 'succeeded',
      { what: 'batch succeeded' },
    );
    expect(done.completed_at).not.toBeNull();
    expect(done.actual_cost).toMatch(/^\d+\.\d{6}$/);
    const sql = new Client({ connectionString: h.db.url });
    await sql.connect();
    try {
      // What it held: one interval, closed when it completed (the meter prices it minute by minute).
      const segments = await sql.query<{ started_at: Date; ended_at: Date | null }>(
        `SELECT started_at, ended_at FROM meter_segments WHERE job_id = $1`,
        [done.id],
      );
      expect(segments.rows.map((row) => row.ended_at?.toISOString())).toEqual([done.completed_at]);
      expect(segments.rows[0].ended_at!.getTime() - segments.rows[0].started_at.getTime()).toBeGreaterThan(1500);
      // One snapshot (the meter runs in the background): actual_cost is exactly the sum of the job's ledger rows so far
      // (none yet, an unmetered job, reads 0.000000).
      const sums = await sql.query<{ actual_cost: string; ledger: string }>(
        `SELECT (SELECT COALESCE(actual_cost, 0)::numeric(18, 6)::text FROM jobs WHERE id = $1) AS actual_cost,
                (SELECT COALESCE(sum(cost), 0)::numeric(18, 6)::text FROM usage_ledger WHERE job_id = $1) AS ledger`,
        [done.id],
      );
      expect(sums.rows[0].actual_cost).toBe(sums.rows[0].ledger);
    } finally {
      await sql.end();
    }
  });

  it('returns the existing job for a repeated idempotency key', async () => {
    const body = containerJob({ idempotency_key: 'same-key' });
    const first = await h.http('POST', jobsPath(), { ...job, body });
    const second = await h.http('POST', jobsPath(), { ...job, body: { ...body, name: 'other-name' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
  });

  it('lists newest first with filters, label selectors and pagination', async () => {
    const a = await h.http('POST', jobsPath(), {
      ...job,
      body: containerJob({ labels: { team: 'search' }, job_type: 'batch', spec: { kind: 'container', image: 'busybox:1.36' } }),
    });
    const b = await h.http('POST', jobsPath(), { ...job, body: containerJob({ labels: { team: 'chat' } }) });
    const byLabel = await h.http('GET', `${jobsPath()}?labels=team=search`, jobPage);
    expect(byLabel.body.items.map((j: { id: string }) => j.id)).toEqual([a.body.id]);
    const byType = await h.http('GET', `${jobsPath()}?job_type=batch&page_size=100`, jobPage);
    expect(byType.body.items.every((j: { job_type: string }) => j.job_type === 'batch')).toBe(true);
    const firstPage = await h.http('GET', `${jobsPath()}?page=1&page_size=1`, jobPage);
    expect(firstPage.body).toMatchObject({ page: 1, page_size: 1 });
    expect(firstPage.body.items[0].id).toBe(b.body.id);
    expect(firstPage.body.total).toBeGreaterThanOrEqual(2);
  });

  it('lists and counts only the jobs of sources the caller may see, in full pages', async () => {
    const mixed = await h.newSimulatedCluster(h.tenantA);
    const path = `/api/v1/clusters/${mixed}/jobs`;
    const budusecases = await newServiceCaller('budusecases', 'budcluster', h.tenantA.tenantId);
    const usecaseIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      await h.http('POST', path, { ...job, body: containerJob() });
      const usecaseJob = containerJob({ source_type: 'usecase', source_id: `llm#${i}`, usecase_deployment_id: randomUUID() });
      usecaseIds.push((await h.http('POST', path, { ...job, caller: budusecases, body: usecaseJob })).body.id);
    }
    const usecaseViewer = await h.caller(['usecase:view'], h.tenantA.tenantId);
    const first = await h.http('GET', `${path}?page=1&page_size=2`, { ...jobPage, caller: usecaseViewer });
    const second = await h.http('GET', `${path}?page=2&page_size=2`, { ...jobPage, caller: usecaseViewer });
    expect([first.body.total, first.body.items.length, second.body.items.length]).toEqual([3, 2, 1]);
    expect([...first.body.items, ...second.body.items].map((j) => j.id).sort()).toEqual([...usecaseIds].sort());
    const everything = await h.http('GET', `${path}?page_size=100`, {
      ...jobPage,
      caller: await h.caller(['job:view'], h.tenantA.tenantId),
    });
    expect([everything.body.total, everything.body.items.length]).toEqual([6, 6]);
    const nothing = await h.http('GET', path, { ...jobPage, caller: await h.caller(['template:manage'], h.tenantA.tenantId) });
    expect([nothing.body.total, nothing.body.items]).toEqual([0, []]);
  });

  it('patches only priority, policy and labels, bumping the version', async () => {
    const created = await h.http('POST', jobsPath(), { ...job, body: containerJob() });
    const patched = await h.http('PATCH', `${jobsPath()}/${created.body.id}`, {
      ...job,
      body: { priority_class: 'high', policy: { max_retries: 5 }, labels: { tier: 'gold' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ priority_class: 'high', priority: 100, labels: { tier: 'gold' } });
    expect(patched.body.policy.max_retries).toBe(5);
    expect(patched.body.version).toBeGreaterThan(created.body.version);
    const refused = await h.http('PATCH', `${jobsPath()}/${created.body.id}`, { ...refusal, body: { status: 'running' } });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toEqual([{ path: 'status', message: 'is not a known field' }]);
  });

  it('cancels an active job (202), then deletes the finished row (204)', async () => {
    const created = await h.http('POST', jobsPath(), { ...job, body: containerJob() });
    await pollUntil(
      () => getJob(created.body.id),
      (job) => job.status === 'running',
    );
    const cancelled = await h.http('DELETE', `${jobsPath()}/${created.body.id}`, job);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('cancelled');
    const deleted = await h.http('DELETE', `${jobsPath()}/${created.body.id}`, job);
    expect(deleted.status).toBe(204);
    expect((await h.http('GET', `${jobsPath()}/${created.body.id}`, job)).status).toBe(404);
  });

  it('retries a failed job within its budget, then refuses with 409', async () => {
    const failing = await h.newSimulatedCluster(h.tenantA, { failing_images: ['broken/'] });
    const path = `/api/v1/clusters/${failing}/jobs`;
    const created = await h.http('POST', path, {
      ...job,
      body: containerJob({ spec: { kind: 'container', image: 'broken/app:1' }, policy: { max_retries: 1 } }),
    });
    await pollUntil(
      async () => (await h.http('GET', `${path}/${created.body.id}`, job)).body,
      (job) => job.status === 'failed',
    );
    const retried = await h.http('POST', `${path}/${created.body.id}/retry`, job);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'pending', retry_count: 1 });
    await pollUntil(
      async () => (await h.http('GET', `${path}/${created.body.id}`, job)).body,
      (job) => job.status === 'failed',
    );
    const exhausted = await h.http('POST', `${path}/${created.body.id}/retry`, refusal);
    expect(exhausted.status).toBe(409);
    expect(exhausted.body.error).toBe('invalid_transition');
  });

  it('queues work beyond GPU capacity and admits it when capacity frees', async () => {
    const small = await h.newSimulatedCluster(h.tenantA, { gpu_capacity: { 'H100-80GB': 1 } });
    const path = `/api/v1/clusters/${small}/jobs`;
    const gpuJob = () => containerJob({ resources: { gpu_type: 'H100-80GB', gpu_count: 1 } });
    const first = await h.http('POST', path, { ...job, body: gpuJob() });
    await pollUntil(
      async () => (await h.http('GET', `${path}/${first.body.id}`, job)).body,
      (job) => job.status === 'running',
    );
    const second = await h.http('POST', path, { ...job, body: gpuJob() });
    await pollUntil(
      async () => (await h.http('GET', `${path}/${second.body.id}`, job)).body,
      (job) => job.status === 'queued',
    );
    const day = 86_400_000;
    const window = `start=${new Date(Date.now() - day).toISOString()}&end=${new Date(Date.now() + day).toISOString()}`;
    const schedule = await h.http('GET', `/api/v1/clusters/${small}/schedule?${window}`, { schema: scheduleResponseSchema });
    expect(schedule.status).toBe(200);
    expect(schedule.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(expect.arrayContaining([first.body.id, second.body.id]));
    expect(schedule.body.gpus['H100-80GB']).toEqual({ total: 1, used: 1, queued: 1 });
    await h.http('DELETE', `${path}/${first.body.id}`);
    await pollUntil(
      async () => (await h.http('GET', `${path}/${second.body.id}`, job)).body,
      (job) => job.status === 'running',
      { what: 'queued job admitted' },
    );
  });

  it('publishes every status change as a CloudEvent on job-events, in version order per job', async () => {
    const created = await h.http('POST', jobsPath(), { ...job, body: containerJob() });
    const events = await pollUntil(
      () => h.subscriber.received.filter((e) => (e.data as { job_id: string }).job_id === created.body.id),
      (list) => list.some((e) => e.type === 'bud.job.running'),
      { what: 'running event delivered' },
    );
    expect(events.map((e) => e.type)).toEqual(['bud.job.pending', 'bud.job.admitted', 'bud.job.running']);
    expect(events[2]).toMatchObject({
      specversion: '1.0',
      source: 'budcluster',
      topic: 'job-events',
      data: { status: 'running', previous_status: 'admitted', version: 3 },
    });
  });

  it('serves health, readiness, metrics and the OpenAPI document without a token', async () => {
    expect((await h.http('GET', '/healthz', { caller: null as never })).status).toBe(200);
    expect((await h.http('GET', '/readyz', { caller: null as never })).body).toEqual({ status: 'ready' });
    const metrics = await h.http('GET', '/metrics', { caller: null as never });
    expect(metrics.body).toMatch(/bud_jobs\{status="running",service="budcluster"\} \d+/);
    expect(metrics.body).toMatch(/http_request_duration_seconds_bucket/);
    const docs = await h.http('GET', '/api/docs-json', { caller: null as never });
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/clusters',
        '/api/v1/clusters/{cluster_id}/jobs',
        '/api/v1/clusters/{cluster_id}/jobs/{job_id}/retry',
        '/api/v1/clusters/{cluster_id}/schedule',
      ]),
    );
  });
});
