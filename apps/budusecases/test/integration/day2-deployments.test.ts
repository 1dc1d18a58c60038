import { randomUUID } from 'node:crypto';
import {
  changePlanSchema,
  deploymentResponseSchema,
  errorBodySchema,
  jobResponseSchema,
  pageOf,
  volumeResponseSchema,
} from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { fastCluster, waitForStatus } from '../support/deployments';
import { makeComponent } from '../support/template-builders';

const deployment = { schema: deploymentResponseSchema };
const refusal = { schema: errorBodySchema };
const GRACE_MS = 300;

/**
 * A small stack for Day 2 (docs/design.md#deployment-update): `cache` (redis, a 5Gi volume), `api` reading the cache's
 * url, and `extra` that runs only with with_extra. log_level reaches both cache and api; api_only only the api.
 */
function stackTemplate(id: string, version = '1.0.0', apiEnv: Record<string, string> = {}): any {
  return {
    id,
    name: 'Day 2 stack',
    category: 'rag',
    version,
    tags: ['day2'],
    parameters: [
      { name: 'log_level', type: 'string', default: 'info' },
      { name: 'api_only', type: 'string', default: 'a' },
      { name: 'with_extra', type: 'boolean', default: false },
      { name: 'cache_size', type: 'string', default: '5Gi' },
    ],
    components: [
      {
        id: 'cache',
        component_ref: 'redis',
        env: { LOG_LEVEL: '{{ parameters.log_level }}' },
        resources: { storage: '{{ parameters.cache_size }}' },
      },
      {
        id: 'api',
        component_ref: 'tool-server',
        env: {
          CACHE_URL: '{{ components.cache.outputs.url }}',
          LOG_LEVEL: '{{ parameters.log_level }}',
          API_ONLY: '{{ parameters.api_only }}',
          ...apiEnv,
        },
      },
      { id: 'extra', component_ref: 'redis', condition: '{{ parameters.with_extra }}' },
    ],
  };
}

describe('Day 2: update, scale and upgrade in place, health, data-safe stop and delete', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  let templateId: string;
  beforeAll(async () => {
    h = await startUsecasesHarness({ usecases: { DEGRADED_GRACE_MS: String(GRACE_MS) }, cluster: { ROLLOUT_CHECK_MS: '100' } });
    clusterId = await fastCluster(h, h.tenantA);
    templateId = `day2-${randomUUID().slice(0, 8)}`;
    const saved = await h.http('POST', '/api/v1/templates', { body: stackTemplate(templateId) });
    if (saved.status !== 201) throw new Error(`template: ${JSON.stringify(saved.body)}`);
  });
  afterAll(() => h.stop());

  const deploy = async (parameters: Record<string, unknown> = {}) => {
    const created = await h.http('POST', '/api/v1/deployments', {
      ...deployment,
      body: { template_id: templateId, name: `d2-${randomUUID().slice(0, 8)}`, cluster_id: clusterId, parameters },
    });
    expect(created.status).toBe(201);
    return waitForStatus(h, created.body.id, 'running');
  };
  const jobsOf = async (deploymentId: string) =>
    (
      await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${deploymentId}&page_size=100`, {
        schema: pageOf(jobResponseSchema),
      })
    ).body.items;
  const volumesOf = async (deploymentId: string) =>
    (
      await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/volumes?usecase_deployment_id=${deploymentId}&page_size=100`, {
        schema: pageOf(volumeResponseSchema),
      })
    ).body.items;
  const component = (d: any, id: string) => d.components.find((c: any) => c.id === id);
  const runningAt = (id: string, generations: Record<string, number>) =>
    pollUntil(
      async () => (await h.http('GET', `/api/v1/deployments/${id}`, deployment)).body,
      (d: any) => d.status === 'running' && Object.entries(generations).every(([c, g]) => component(d, c)?.generation === g),
      { what: `deployment ${id} running at ${JSON.stringify(generations)}`, timeoutMs: 30_000 },
    );
  const history = async (id: string) => (await h.http('GET', `/api/v1/deployments/${id}/events`)).body.items as any[];

  it('updates in place: same job ids, updating then running at the new generation, untouched components stay as they were', async () => {
    const d = await deploy();
    const before = new Map((await jobsOf(d.id)).map((j) => [j.name, j.id]));
    const updated = await h.http('PATCH', `/api/v1/deployments/${d.id}`, { ...deployment, body: { parameters: { api_only: 'b' } } });
    expect(updated.status).toBe(200);
    const after = await runningAt(d.id, { api: 2, cache: 1 });
    const jobs = await jobsOf(d.id);
    expect(new Map(jobs.map((j) => [j.name, j.id]))).toEqual(before);
    const api = jobs.find((j) => j.name === 'api')!;
    expect(api.spec.kind === 'container' && api.spec.env.API_ONLY).toBe('b');
    expect(api.rollout.generation).toBe(2);
    expect(jobs.find((j) => j.name === 'cache')!.rollout.generation).toBe(1);
    expect(after.parameters.api_only).toBe('b');
    const statuses = (await history(d.id)).filter((e) => e.type === 'deployment.status').map((e) => e.status);
    expect(statuses.slice(statuses.lastIndexOf('updating'))).toEqual(['updating', 'running']);
  });

  it('restarts a dependent only after its dependency has rolled out', async () => {
    const d = await deploy();
    await h.http('PATCH', `/api/v1/deployments/${d.id}`, { ...deployment, body: { parameters: { log_level: 'debug' } } });
    await runningAt(d.id, { cache: 2, api: 2 });
    const events = (await history(d.id)).filter((e) => e.type === 'component.status');
    const cacheRunning = events.findIndex(
      (e, i) =>
        e.component_id === 'cache' &&
        e.status === 'running' &&
        i > events.findIndex((x) => x.component_id === 'cache' && x.status === 'updating'),
    );
    const apiUpdating = events.findIndex((e) => e.component_id === 'api' && e.status === 'updating');
    expect(cacheRunning).toBeGreaterThan(-1);
    expect(apiUpdating).toBeGreaterThan(cacheRunning);
  });

  it('scales replicas only in place: the same job, still running, nothing restarted', async () => {
    const d = await deploy();
    const before = (await jobsOf(d.id)).find((j) => j.name === 'api')!;
    const scaled = await h.http('POST', `/api/v1/deployments/${d.id}/components/api/scale`, { ...deployment, body: { replicas: 3 } });
    expect(scaled.status).toBe(200);
    const after = await runningAt(d.id, { api: 2 });
    expect(component(after, 'api').replicas).toBe(3);
    const job = (await jobsOf(d.id)).find((j) => j.name === 'api')!;
    expect([job.id, job.status, job.resources.replicas, job.started_at]).toEqual([before.id, 'running', 3, before.started_at]);
    expect(job.spec).toEqual(before.spec);
  });

  it('adds a component whose condition turns true and removes it again, leaving the others untouched', async () => {
    const d = await deploy();
    expect(component(d, 'extra').status).toBe('skipped');
    await h.http('PATCH', `/api/v1/deployments/${d.id}`, { ...deployment, body: { parameters: { with_extra: true } } });
    const added = await pollUntil(
      async () => (await h.http('GET', `/api/v1/deployments/${d.id}`, deployment)).body,
      (x: any) => x.status === 'running' && component(x, 'extra').status === 'running',
      { what: 'extra running', timeoutMs: 30_000 },
    );
    expect(component(added, 'cache').generation).toBe(1);
    await h.http('PATCH', `/api/v1/deployments/${d.id}`, { ...deployment, body: { parameters: { with_extra: false } } });
    const removed = await pollUntil(
      async () => (await h.http('GET', `/api/v1/deployments/${d.id}`, deployment)).body,
      (x: any) => x.status === 'running' && component(x, 'extra').status === 'skipped',
      { what: 'extra removed', timeoutMs: 30_000 },
    );
    expect(component(removed, 'extra').message).toBe('removed by update');
    expect((await jobsOf(d.id)).map((j) => j.name).sort()).toEqual(['api', 'cache']);
  });

  it('offers a newer template version and upgrades to it in place', async () => {
    const d = await deploy();
    expect(d.upgrade_available).toBeNull();
    const template = await h.http('GET', `/api/v1/templates/${templateId}`);
    const saved = await h.http('PUT', `/api/v1/templates/${templateId}`, {
      body: { ...stackTemplate(templateId, '1.1.0', { FEATURE: 'on' }), revision: template.body.revision },
    });
    expect(saved.status).toBe(200);
    const offered = await h.http('GET', `/api/v1/deployments/${d.id}`, deployment);
    expect(offered.body.upgrade_available).toBe('1.1.0');
    const plan = await h.http('POST', `/api/v1/deployments/${d.id}/upgrade?dry_run=true`, { schema: changePlanSchema, body: {} });
    expect(plan.status).toBe(200);
    expect(plan.body.template_version_after).toBe('1.1.0');
    const upgraded = await h.http('POST', `/api/v1/deployments/${d.id}/upgrade`, { ...deployment, body: {} });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.template_version).toBe('1.1.0');
    const after = await runningAt(d.id, { api: 2, cache: 1 });
    expect(after.upgrade_available).toBeNull();
    expect((await h.http('POST', `/api/v1/deployments/${d.id}/upgrade`, { ...refusal, body: {} })).status).toBe(409);
  });

  it('turns degraded when a component stays unready past the grace period, says why, and recovers', async () => {
    const d = await deploy();
    const faults = (list: unknown[]) => h.clusterHttp('PATCH', `/api/v1/clusters/${clusterId}`, { body: { settings: { faults: list } } });
    expect((await faults([{ match: { job_name: 'api' }, kind: 'unready' }])).status).toBe(200);
    try {
      const degraded = await waitForStatus(h, d.id, 'degraded');
      expect(degraded.status_message).toMatch(/^api is unhealthy: /);
      expect(component(degraded, 'api')).toMatchObject({ status: 'running', health: 'unhealthy' });
      expect(Date.parse(degraded.updated_at) - Date.parse(component(degraded, 'api').unhealthy_since)).toBeGreaterThanOrEqual(
        GRACE_MS - 50,
      );
    } finally {
      expect((await faults([])).status).toBe(200);
    }
    const recovered = await waitForStatus(h, d.id, 'running');
    expect(component(recovered, 'api')).toMatchObject({ health: 'healthy', unhealthy_since: null });
    const events = (await history(d.id)).filter((e) => e.type === 'deployment.status').map((e) => e.status);
    expect(events.slice(-2)).toEqual(['degraded', 'running']);
    // The events the SSE stream serves tell the component's health moves too.
    const healthMoves = (await history(d.id)).filter((e) => e.component_id === 'api' && /^health /.test(e.message ?? ''));
    expect(healthMoves.map((e) => e.message.split(':')[0])).toEqual(expect.arrayContaining(['health unhealthy', 'health healthy']));
  });

  it('runs again on the old spec, saying so, when budcluster rolls back an update that never became ready', async () => {
    const ref = `quick-${randomUUID().slice(0, 8)}`;
    const registered = await h.http('POST', '/api/v1/components', {
      caller: h.admin,
      body: makeComponent(ref, (c) => (c.readiness_timeout_seconds = 1)),
    });
    expect(registered.status).toBe(201);
    const quickTemplate = `quick-${randomUUID().slice(0, 8)}`;
    const saved = await h.http('POST', '/api/v1/templates', {
      body: {
        id: quickTemplate,
        name: 'Quick readiness',
        category: 'rag',
        version: '1.0.0',
        parameters: [{ name: 'p', type: 'string', default: 'old' }],
        components: [{ id: 'svc', component_ref: ref, env: { P: '{{ parameters.p }}' } }],
      },
    });
    expect(saved.status).toBe(201);
    const created = await h.http('POST', '/api/v1/deployments', {
      ...deployment,
      body: { template_id: quickTemplate, name: `rb-${randomUUID().slice(0, 8)}`, cluster_id: clusterId },
    });
    const d = await waitForStatus(h, created.body.id, 'running');
    const faults = (list: unknown[]) => h.clusterHttp('PATCH', `/api/v1/clusters/${clusterId}`, { body: { settings: { faults: list } } });
    expect((await faults([{ match: { job_name: 'svc' }, kind: 'never_ready' }])).status).toBe(200);
    try {
      await h.http('PATCH', `/api/v1/deployments/${d.id}`, { ...deployment, body: { parameters: { p: 'new' } } });
      const rolledBack = await pollUntil(
        async () => (await h.http('GET', `/api/v1/deployments/${d.id}`, deployment)).body,
        (x: any) => x.status === 'running' && /rolled back/.test(component(x, 'svc').message ?? ''),
        { what: 'svc rolled back and running', timeoutMs: 30_000 },
      );
      expect(component(rolledBack, 'svc')).toMatchObject({ status: 'running', job_id: component(d, 'svc').job_id });
      const job = (await jobsOf(d.id))[0];
      expect(job.spec.kind === 'container' && job.spec.env.P).toBe('old');
      expect(job.status).toBe('running');
      const statuses = (await history(d.id)).filter((e) => e.type === 'deployment.status').map((e) => e.status);
      expect(statuses).not.toContain('failed');
    } finally {
      expect((await faults([])).status).toBe(200);
    }
  });

  it('keeps volumes across stop and start, and keeps them on delete with keep_data', async () => {
    const d = await deploy();
    const before = (await volumesOf(d.id)).map((v) => [v.component, v.claim_name, v.id]);
    expect(before.length).toBeGreaterThan(0);
    expect((await h.http('POST', `/api/v1/deployments/${d.id}/stop`, deployment)).status).toBe(202);
    await waitForStatus(h, d.id, 'stopped');
    expect((await volumesOf(d.id)).map((v) => [v.component, v.claim_name, v.id])).toEqual(before);
    expect((await h.http('POST', `/api/v1/deployments/${d.id}/start`, deployment)).status).toBe(202);
    await waitForStatus(h, d.id, 'running');
    expect((await volumesOf(d.id)).map((v) => [v.component, v.claim_name, v.id])).toEqual(before);

    const plan = await h.http('DELETE', `/api/v1/deployments/${d.id}?dry_run=true`, { schema: changePlanSchema });
    expect(plan.status).toBe(200);
    expect(plan.body.data_at_risk.map((v) => v.claim_name).sort()).toEqual(before.map((v) => v[1]).sort());
    expect((await h.http('DELETE', `/api/v1/deployments/${d.id}?keep_data=true`, deployment)).status).toBe(202);
    await pollUntil(
      () => h.http('GET', `/api/v1/deployments/${d.id}`),
      (a) => a.status === 404,
      { what: 'deployment gone', timeoutMs: 30_000 },
    );
    const kept = await volumesOf(d.id);
    expect(kept.map((v) => [v.id, v.status])).toEqual(before.map((v) => [v[2], 'retained']));
  });

  it('destroys volumes on a plain delete', async () => {
    const d = await deploy();
    expect((await volumesOf(d.id)).length).toBeGreaterThan(0);
    expect((await h.http('DELETE', `/api/v1/deployments/${d.id}`, deployment)).status).toBe(202);
    await pollUntil(
      () => h.http('GET', `/api/v1/deployments/${d.id}`),
      (a) => a.status === 404,
      { what: 'deployment gone', timeoutMs: 30_000 },
    );
    await pollUntil(
      () => volumesOf(d.id),
      (v) => v.length === 0,
      { what: 'volumes gone', timeoutMs: 30_000 },
    );
  });

  it('refuses bad changes: absurd or negative replicas, an unknown component, another tenant, a deployment being deleted', async () => {
    const d = await deploy();
    for (const replicas of [-1, 1_000_000, 1.5]) {
      const answer = await h.http('POST', `/api/v1/deployments/${d.id}/components/api/scale`, { ...refusal, body: { replicas } });
      expect(answer.status).toBe(422);
      expect(answer.body.details?.map((x) => x.path)).toContain('replicas');
    }
    // A claim cannot change size in place: refused up front, naming the component, and nothing changes.
    const resize = await h.http('PATCH', `/api/v1/deployments/${d.id}`, { ...refusal, body: { parameters: { cache_size: '10Gi' } } });
    expect(resize.status).toBe(422);
    expect(resize.body.details?.map((x) => x.path)).toEqual([
      'components.cache.spec.volumes[0].size',
      'components.cache.resources.storage',
    ]);
    expect((await h.http('GET', `/api/v1/deployments/${d.id}`, deployment)).body.parameters.cache_size).toBe('5Gi');
    const unknown = await h.http('POST', `/api/v1/deployments/${d.id}/components/nope/scale`, { ...refusal, body: { replicas: 2 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('nope');
    for (const [method, path, body] of [
      ['PATCH', `/api/v1/deployments/${d.id}`, { parameters: { api_only: 'x' } }],
      ['PATCH', `/api/v1/deployments/${d.id}?dry_run=true`, { parameters: { api_only: 'x' } }],
      ['POST', `/api/v1/deployments/${d.id}/components/api/scale?dry_run=true`, { replicas: 2 }],
      ['POST', `/api/v1/deployments/${d.id}/upgrade`, {}],
      ['DELETE', `/api/v1/deployments/${d.id}?dry_run=true`, undefined],
    ] as const) {
      expect((await h.http(method, path, { ...refusal, caller: h.tenantB, body })).status).toBe(404);
    }
    expect((await h.http('DELETE', `/api/v1/deployments/${d.id}`, deployment)).status).toBe(202);
    const late = await h.http('PATCH', `/api/v1/deployments/${d.id}`, { ...refusal, body: { parameters: { api_only: 'x' } } });
    expect(late.status).toBe(409);
    expect((await h.http('POST', `/api/v1/deployments/${d.id}/components/api/scale`, { ...refusal, body: { replicas: 2 } })).status).toBe(
      409,
    );
  });
  it('never loses one of concurrent changes: each one answered 200 is kept, the others are refused with 409', async () => {
    const d = await deploy();
    const scale = (id: string, body: unknown) => h.http('POST', `/api/v1/deployments/${d.id}/components/${id}/scale`, { body });
    const patch = (parameters: Record<string, unknown>) => h.http('PATCH', `/api/v1/deployments/${d.id}`, { body: { parameters } });
    const answers = await Promise.all([scale('api', { replicas: 2 }), patch({ api_only: 'c' }), patch({ log_level: 'debug' })]);
    expect(answers.every((a) => a.status === 200 || a.status === 409)).toBe(true);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.body.message).toMatch(/changed meanwhile \(version \d+, planned from \d+\)/);
    const after = (await h.http('GET', `/api/v1/deployments/${d.id}`, deployment)).body;
    const kept = [component(after, 'api').replicas === 2, after.parameters.api_only === 'c', after.parameters.log_level === 'debug'];
    expect(kept).toEqual(answers.map((a) => a.status === 200));
  });

  it('scales only the resources given, over the planned ones, and refuses GPUs without a type before storing anything', async () => {
    const d = await deploy();
    const path = `/api/v1/deployments/${d.id}/components/api/scale`;
    const before = (await jobsOf(d.id)).find((j) => j.name === 'api')!.resources;
    const preview = await h.http('POST', `${path}?dry_run=true`, { schema: changePlanSchema, body: { resources: { cpu_request: '2' } } });
    expect(preview.status).toBe(200);
    expect(preview.body.components.find((c) => c.id === 'api')!.fields).toEqual([
      { path: 'resources.cpu_request', from: before.cpu_request, to: '2' },
    ]);
    expect((await h.http('POST', path, { ...deployment, body: { resources: { cpu_request: '2' } } })).status).toBe(200);
    await runningAt(d.id, { api: 2 });
    const job = (await jobsOf(d.id)).find((j) => j.name === 'api')!;
    expect(job.resources).toEqual({ ...before, cpu_request: '2' });

    const gpus = await h.http('POST', path, { ...refusal, body: { resources: { gpu_count: 2 } } });
    expect(gpus.status).toBe(422);
    expect(gpus.body.details?.map((x) => x.path)).toContain('resources.gpu_type');
    // Nothing was stored: a later change still plans (a stored bad override would refuse it too).
    expect((await h.http('POST', `${path}?dry_run=true`, { schema: changePlanSchema, body: { replicas: 2 } })).status).toBe(200);
    expect(component((await h.http('GET', `/api/v1/deployments/${d.id}`, deployment)).body, 'api').generation).toBe(2);
    expect((await jobsOf(d.id)).find((j) => j.name === 'api')!.resources).toEqual(job.resources);
    const typed = await h.http('POST', `${path}?dry_run=true`, {
      schema: changePlanSchema,
      body: { resources: { gpu_count: 2, gpu_type: 'A100-80GB' } },
    });
    expect(typed.status).toBe(200);
    expect(
      typed.body.components
        .find((c) => c.id === 'api')!
        .fields.map((f) => f.path)
        .sort(),
    ).toEqual(['resources.gpu_count', 'resources.gpu_type']);
  });

  it('refuses to scale a helm component: it scales through its chart values', async () => {
    const helmTemplate = `helm-${randomUUID().slice(0, 8)}`;
    const saved = await h.http('POST', '/api/v1/templates', {
      body: {
        id: helmTemplate,
        name: 'Helm scale',
        category: 'rag',
        version: '1.0.0',
        components: [{ id: 'vector-db', component_ref: 'qdrant' }],
      },
    });
    expect(saved.status).toBe(201);
    const created = await h.http('POST', '/api/v1/deployments', {
      ...deployment,
      body: { template_id: helmTemplate, name: `hs-${randomUUID().slice(0, 8)}`, cluster_id: clusterId },
    });
    expect(created.status).toBe(201);
    const d = await waitForStatus(h, created.body.id, 'running');
    const path = `/api/v1/deployments/${d.id}/components/vector-db/scale`;
    for (const [body, field] of [
      [{ replicas: 2 }, 'replicas'],
      [{ resources: { cpu_request: '2' } }, 'resources'],
    ] as const) {
      for (const query of ['', '?dry_run=true']) {
        const answer = await h.http('POST', `${path}${query}`, { ...refusal, body });
        expect(answer.status).toBe(422);
        expect(answer.body.details?.map((x) => x.path)).toEqual([field]);
        expect(answer.body.message).toMatch(/helm component: it scales through its chart values/);
      }
    }
    expect(component((await h.http('GET', `/api/v1/deployments/${d.id}`, deployment)).body, 'vector-db').replicas).toBe(1);
  });
});
