import { expectValidation, pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

type Job = {
  id: string;
  status: string;
  version: number;
  health: string;
  health_reason: string | null;
  status_message: string | null;
  spec: { image: string; env?: Record<string, string>; secret_env?: Record<string, string> };
  resources: { replicas: number };
  estimated_cost_per_hour: string;
  rollout: { generation: number; observed_generation: number; replicas: number; ready_replicas: number };
  events?: Array<{ from_status: string; to_status: string; reason: string; message: string | null }>;
};

/** docs/design.md#in-place-update at the Job layer: PATCH spec/resources, rolled out in place, rolled back when never ready. */
describe('in-place job update', () => {
  let h: Harness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startHarness({ ROLLOUT_CHECK_MS: '50' });
    clusterId = await h.newSimulatedCluster(h.tenantA, {
      price_table: undefined,
      faults: [{ match: { image: 'broken-build' }, kind: 'never_ready' }],
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const read = async (id: string) => (await h.http<Job>('GET', `${jobsPath()}/${id}`)).body;
  const runningJob = async (overrides: Record<string, unknown> = {}): Promise<Job> => {
    const created = await h.http<Job>('POST', jobsPath(), { body: containerJob(overrides) });
    expect(created.status).toBe(201);
    return pollUntil(
      () => read(created.body.id),
      (job) => job.status === 'running' && job.health === 'healthy' && job.rollout.observed_generation === 1,
      { what: 'job running and healthy at generation 1' },
    );
  };
  const eventsOf = (id: string) => h.subscriber.received.filter((e) => (e.data as { job_id: string }).job_id === id);

  it('changes the spec of a running service in place: same id, generation 2, progressing then healthy, still running', async () => {
    const job = await runningJob();
    const patched = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, {
      body: { spec: { ...job.spec, env: { LOG_LEVEL: 'debug' } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: job.id, status: 'running', health: 'progressing', rollout: { generation: 2 } });
    expect(patched.body.version).toBeGreaterThan(job.version);
    const done = await pollUntil(
      () => read(job.id),
      (j) => j.rollout.observed_generation === 2 && j.health === 'healthy',
      { what: 'generation 2 rolled out' },
    );
    expect(done).toMatchObject({ id: job.id, status: 'running', spec: { env: { LOG_LEVEL: 'debug' } } });
    const rollouts = await pollUntil(
      () => eventsOf(job.id).filter((e) => e.type === 'bud.job.rollout'),
      (list) => list.some((e) => (e.data as Job).rollout.observed_generation === 2),
      { what: 'rollout events delivered' },
    );
    expect((rollouts[0]?.data as Job).health).toBe('progressing');
  });

  it('scales replicas in place and recomputes the estimated cost', async () => {
    const job = await runningJob();
    const patched = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, {
      body: { resources: { cpu_request: '500m', memory_request: '512Mi', replicas: 3 } },
    });
    expect(patched.status).toBe(200);
    expect(Number(patched.body.estimated_cost_per_hour)).toBeGreaterThan(Number(job.estimated_cost_per_hour));
    const done = await pollUntil(
      () => read(job.id),
      (j) => j.rollout.observed_generation === 2,
      { what: 'scaled' },
    );
    expect(done).toMatchObject({
      status: 'running',
      health: 'healthy',
      resources: { replicas: 3 },
      rollout: { replicas: 3, ready_replicas: 3 },
    });
  });

  it('merges a partial resources patch over what runs: the fields not given keep their values, null removes one', async () => {
    const job = await runningJob({
      resources: { gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '2', cpu_limit: '4', memory_request: '4Gi', replicas: 1 },
    });
    const scaled = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, { body: { resources: { replicas: 2, cpu_limit: null } } });
    expect(scaled.status).toBe(200);
    expect(scaled.body.resources).toEqual({ gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '2', memory_request: '4Gi', replicas: 2 });
    expectValidation(await h.http('PATCH', `${jobsPath()}/${job.id}`, { body: { resources: { gpu_type: null } } }), 'resources.gpu_type');
    expect((await read(job.id)).resources).toMatchObject({ gpu_type: 'A100-80GB', gpu_count: 1, replicas: 2 });
  });

  it('changes nothing for a patch equal to what runs (same version, same generation)', async () => {
    const job = await runningJob();
    const same = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: job.spec } });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(job.version);
    expect(same.body.rollout.generation).toBe(1);
  });

  it('keeps a masked secret_env value and takes a new one', async () => {
    const job = await runningJob({
      spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }], secret_env: { TOKEN: 'first' } },
    });
    const unchanged = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: job.spec } });
    expect(unchanged.body.rollout.generation).toBe(1);
    const changed = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, {
      body: { spec: { ...job.spec, secret_env: { TOKEN: 'second' } } },
    });
    expect(changed.body.rollout.generation).toBe(2);
    expect(changed.body.spec.secret_env).toEqual({ TOKEN: '********' });
    const unknown = await h.http('PATCH', `${jobsPath()}/${job.id}`, {
      body: { spec: { ...job.spec, secret_env: { OTHER: '********' } } },
    });
    expectValidation(unknown, 'spec.secret_env.OTHER');
    // Names every object inherits are not stored values either.
    for (const name of ['hasOwnProperty', 'toString', 'constructor']) {
      const inherited = await h.http('PATCH', `${jobsPath()}/${job.id}`, {
        body: { spec: { ...job.spec, secret_env: { TOKEN: '********', [name]: '********' } } },
      });
      expectValidation(inherited, `spec.secret_env.${name}`);
    }
    expect((await read(job.id)).rollout.generation).toBe(2);
  });

  it('rolls an update that never becomes ready back after readiness_timeout_seconds; the job stays running', async () => {
    const job = await runningJob({ policy: { readiness_timeout_seconds: 1 } });
    const patched = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, {
      body: { spec: { ...job.spec, image: 'registry.example.com/broken-build:2' } },
    });
    expect(patched.body).toMatchObject({ status: 'running', health: 'progressing', rollout: { generation: 2 } });
    const rolledBack = await pollUntil(
      () => read(job.id),
      (j) => j.health_reason === 'RolledBack' || j.rollout.generation >= 3,
      { what: 'rolled back', timeoutMs: 15_000 },
    );
    expect(rolledBack).toMatchObject({
      status: 'running',
      spec: { image: 'nginx:1.27' },
      rollout: { generation: 3 },
      status_message: 'generation 2 was not ready within 1s; rolled back to the spec of generation 1',
    });
    const healthy = await pollUntil(
      () => h.http<Job>('GET', `${jobsPath()}/${job.id}`).then((a) => a.body),
      (j) => j.rollout.observed_generation === 3 && j.health === 'healthy',
      { what: 'the last good spec rolled out again' },
    );
    expect(healthy.status).toBe('running');
    expect(healthy.events?.some((e) => e.reason === 'RolledBack' && e.from_status === 'running' && e.to_status === 'running')).toBe(true);
    const events = await pollUntil(
      () => eventsOf(job.id).filter((e) => e.type === 'bud.job.rollout' && (e.data as Job).rollout.generation === 3),
      (list) => list.length > 0,
      { what: 'rollback event delivered' },
    );
    expect(events[0]?.data).toMatchObject({ status: 'running', health_reason: 'RolledBack' });
    expect(eventsOf(job.id).some((e) => e.type === 'bud.job.failed')).toBe(false);
  });

  it("updates a helm release's values in place and refuses a new release name", async () => {
    const spec = { kind: 'helm', chart_ref: 'oci://ghcr.io/acme/chart', chart_version: '1.2.0', values: { replicaCount: 1 } };
    const job = await runningJob({ spec });
    const patched = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: { ...spec, values: { replicaCount: 2 } } } });
    expect(patched.body).toMatchObject({ id: job.id, status: 'running', rollout: { generation: 2 } });
    await pollUntil(
      () => read(job.id),
      (j) => j.rollout.observed_generation === 2 && j.health === 'healthy',
      { what: 'helm values rolled out' },
    );
    expectValidation(
      await h.http('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: { ...spec, release_name: 'another' } } }),
      'spec.release_name',
    );
  });

  it('an in-place patch at a stale version is 409 and changes nothing', async () => {
    const job = await runningJob();
    const stale = await h.http('PATCH', `${jobsPath()}/${job.id}`, {
      body: { version: job.version - 1, spec: { ...job.spec, image: 'nginx:1.28' } },
    });
    expect(stale.status).toBe(409);
    expect((await read(job.id)).rollout.generation).toBe(1);
  });

  describe('refuses what cannot change in place', () => {
    it('negative or absurd replicas name resources.replicas', async () => {
      const job = await runningJob();
      for (const replicas of [-1, 1_000_000]) {
        const answer = await h.http('PATCH', `${jobsPath()}/${job.id}`, { body: { resources: { replicas } } });
        expectValidation(answer, 'resources.replicas');
      }
    });

    it('a different kind names spec.kind', async () => {
      const job = await runningJob();
      const answer = await h.http('PATCH', `${jobsPath()}/${job.id}`, {
        body: { spec: { kind: 'model', engine: 'vllm', model_id: 'meta-llama/Llama-3.1-8B-Instruct' } },
      });
      expectValidation(answer, 'spec.kind');
    });

    it("a volume's size names spec.volumes[0].size and storage names resources.storage", async () => {
      const spec = {
        kind: 'container',
        image: 'redis:7',
        ports: [{ port: 6379 }],
        volumes: [{ name: 'data', size: '1Gi', mount_path: '/data' }],
      };
      const job = await runningJob({ spec });
      const bigger = await h.http('PATCH', `${jobsPath()}/${job.id}`, {
        body: { spec: { ...spec, volumes: [{ name: 'data', size: '2Gi', mount_path: '/data' }] } },
      });
      expectValidation(bigger, 'spec.volumes[0].size');
      const storage = await h.http('PATCH', `${jobsPath()}/${job.id}`, {
        body: { resources: { cpu_request: '500m', memory_request: '512Mi', storage: '5Gi' } },
      });
      expectValidation(storage, 'resources.storage');
    });

    it('a batch job names spec', async () => {
      const created = await h.http<Job>('POST', jobsPath(), {
        body: containerJob({ job_type: 'batch', spec: { kind: 'container', image: 'busybox:1.36' } }),
      });
      const answer = await h.http('PATCH', `${jobsPath()}/${created.body.id}`, {
        body: { spec: { kind: 'container', image: 'busybox:1.37' } },
      });
      expectValidation(answer, 'spec');
    });

    it('an unsafe image or helm value is refused as on create, and changes nothing', async () => {
      const job = await runningJob();
      const metadata = await h.http('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: { ...job.spec, image: '169.254.169.254/x:1' } } });
      expectValidation(metadata, 'spec.image');
      const helm = { kind: 'helm', chart_ref: 'oci://ghcr.io/acme/chart', values: {} };
      const chart = await runningJob({ spec: helm });
      const privileged = await h.http('PATCH', `${jobsPath()}/${chart.id}`, {
        body: { spec: { ...helm, values: { pods: [{ securityContext: { privileged: true } }] } } },
      });
      expectValidation(privileged, 'spec.values.pods[0].securityContext.privileged');
      expect((await read(job.id)).rollout.generation).toBe(1);
      expect((await read(chart.id)).rollout.generation).toBe(1);
    });

    it('a terminal job is 409, an unknown job 404', async () => {
      const job = await runningJob();
      expect((await h.http('DELETE', `${jobsPath()}/${job.id}`)).status).toBe(202);
      const terminal = await h.http('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: { ...job.spec, image: 'nginx:1.28' } } });
      expect(terminal.status).toBe(409);
      const unknown = await h.http('PATCH', `${jobsPath()}/00000000-0000-4000-8000-000000000000`, { body: { spec: job.spec } });
      expect(unknown.status).toBe(404);
    });
  });
});
