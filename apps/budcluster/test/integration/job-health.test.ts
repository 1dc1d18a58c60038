import { jobEventDataSchema } from '@bud/contracts';
import { expectValidation, pollUntil } from '@bud/testing';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

type Job = { id: string; status: string; health: string; health_reason: string | null; health_message: string | null };
type EventData = { job_id: string; status: string; health: string; health_reason: string | null; version: number };

/** docs/design.md#job-health and #simulated-faults through the API: faults make health move, each move is an event. */
describe('job health from simulated faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  const read = async (clusterId: string, id: string) => (await h.http<Job>('GET', `/api/v1/clusters/${clusterId}/jobs/${id}`)).body;
  const eventsOf = (id: string) => h.subscriber.received.filter((e) => (e.data as EventData).job_id === id);

  it('an unready fault turns a running job unhealthy (bud.job.health event) and back to healthy after for_seconds', async () => {
    const clusterId = await h.newSimulatedCluster(h.tenantA, {
      faults: [{ match: { image: 'flaky-api' }, kind: 'unready', for_seconds: 1 }],
    });
    const created = await h.http<Job>('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      body: containerJob({ spec: { kind: 'container', image: 'ghcr.io/acme/flaky-api:1', ports: [{ port: 80 }] } }),
    });
    const unhealthy = await pollUntil(
      () => read(clusterId, created.body.id),
      (job) => job.health === 'unhealthy',
      { what: 'unhealthy' },
    );
    expect(unhealthy).toMatchObject({ status: 'running', health_reason: 'Unready', health_message: '0/1 replicas ready' });
    const recovered = await pollUntil(
      () => read(clusterId, created.body.id),
      (job) => job.health === 'healthy',
      { what: 'recovered', timeoutMs: 10_000 },
    );
    expect(recovered.status).toBe('running');
    const events = await pollUntil(
      () => eventsOf(created.body.id),
      (list) => list.some((e) => e.type === 'bud.job.health' && (e.data as EventData).health === 'healthy'),
      { what: 'recovery event delivered' },
    );
    const healths = events.map((e) => (e.data as EventData).health);
    expect(healths).toContain('unhealthy');
    expect(healths.lastIndexOf('healthy')).toBeGreaterThan(healths.indexOf('unhealthy'));
    const versions = events.map((e) => (e.data as EventData).version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const event of events) expect(jobEventDataSchema.safeParse(event.data).error).toBeUndefined();
  });

  it('a fault added to the settings of a cluster applies to its running jobs', async () => {
    const clusterId = await h.newSimulatedCluster(h.tenantA);
    const created = await h.http<Job>('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob({ name: 'steady-api' }) });
    await pollUntil(
      () => read(clusterId, created.body.id),
      (job) => job.health === 'healthy',
      { what: 'healthy' },
    );
    const patched = await h.http('PATCH', `/api/v1/clusters/${clusterId}`, {
      body: { settings: { faults: [{ match: { job_name: 'steady-api' }, kind: 'crash' }] } },
    });
    expect(patched.status).toBe(200);
    const crashed = await pollUntil(
      () => read(clusterId, created.body.id),
      (job) => job.health === 'unhealthy',
      { what: 'crash-looping' },
    );
    expect(crashed).toMatchObject({ status: 'running', health_reason: 'CrashLoopBackOff' });
  });

  it('a crash fails a batch job', async () => {
    const clusterId = await h.newSimulatedCluster(h.tenantA, {
      batch_run_ms: 60_000,
      faults: [{ match: { image: 'bad-batch' }, kind: 'crash' }],
    });
    const created = await h.http<Job>('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      body: containerJob({ job_type: 'batch', spec: { kind: 'container', image: 'ghcr.io/acme/bad-batch:1' } }),
    });
    const failed = await pollUntil(
      () => read(clusterId, created.body.id),
      (job) => job.status === 'failed',
      { what: 'failed' },
    );
    expect(failed).toMatchObject({ health: 'unknown', health_reason: 'CrashLoopBackOff' });
  });

  it('a never_ready fault keeps a new job admitted and progressing', async () => {
    const clusterId = await h.newSimulatedCluster(h.tenantA, { faults: [{ match: { image: 'never' }, kind: 'never_ready' }] });
    const created = await h.http<Job>('POST', `/api/v1/clusters/${clusterId}/jobs`, {
      body: containerJob({ spec: { kind: 'container', image: 'ghcr.io/acme/never:1', ports: [{ port: 80 }] } }),
    });
    const stuck = await pollUntil(
      () => read(clusterId, created.body.id),
      (job) => job.health === 'progressing',
      { what: 'progressing' },
    );
    expect(stuck).toMatchObject({ status: 'admitted', health_reason: 'NeverReady' });
  });

  describe('refuses faults with bad shapes, naming the field', () => {
    const cases: Array<[string, unknown, string]> = [
      ['for_seconds of zero', [{ match: { image: 'x' }, kind: 'unready', for_seconds: 0 }], 'settings.faults[0].for_seconds'],
      ['for_seconds on a crash', [{ match: { image: 'x' }, kind: 'crash', for_seconds: 5 }], 'settings.faults[0].for_seconds'],
      [
        'after_seconds on never_ready',
        [{ match: { image: 'x' }, kind: 'never_ready', after_seconds: 5 }],
        'settings.faults[0].after_seconds',
      ],
      ['an unknown kind', [{ match: { image: 'x' }, kind: 'explode' }], 'settings.faults[0].kind'],
      ['an empty match', [{ match: {}, kind: 'crash' }], 'settings.faults[0].match'],
      ['a job name that is no DNS label', [{ match: { job_name: 'Not A Label' }, kind: 'crash' }], 'settings.faults[0].match.job_name'],
      ['an unknown field', [{ match: { image: 'x' }, kind: 'crash', when: 'now' }], 'settings.faults[0].when'],
      ['a negative after_seconds', [{ match: { image: 'x' }, kind: 'unready', after_seconds: -1 }], 'settings.faults[0].after_seconds'],
    ];
    it.each(cases)('%s', async (_name, faults, path) => {
      const clusterId = await h.newSimulatedCluster(h.tenantA);
      expectValidation(await h.http('PATCH', `/api/v1/clusters/${clusterId}`, { body: { settings: { faults } } }), path);
    });

    it('more than 50 faults', async () => {
      const clusterId = await h.newSimulatedCluster(h.tenantA);
      const faults = Array.from({ length: 51 }, () => ({ match: { image: 'x' }, kind: 'crash' }));
      expectValidation(await h.http('PATCH', `/api/v1/clusters/${clusterId}`, { body: { settings: { faults } } }), 'settings.faults');
    });
  });
});
