// docs/design.md#cluster-status: on a shared cluster the schedule's GPU totals count every tenant's jobs, while its
// `jobs` stay the caller's own.
import { scheduleResponseSchema } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { containerJob, startHarness, type Harness } from '../support/harness';

describe('the schedule of the shared local cluster with two tenants', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  const jobsPath = () => `/api/v1/clusters/${h.localClusterId}/jobs`;
  const create = async (caller: Harness['tenantA'], name: string, gpuType: string, gpuCount: number, maxRuntimeSeconds?: number) => {
    const created = await h.http<{ id: string }>('POST', jobsPath(), {
      caller,
      body: containerJob({
        name,
        resources: { gpu_type: gpuType, gpu_count: gpuCount, cpu_request: '1', memory_request: '1Gi' },
        ...(maxRuntimeSeconds ? { policy: { max_runtime_seconds: maxRuntimeSeconds } } : {}),
      }),
    });
    if (created.status !== 201) throw new Error(`job create failed: ${JSON.stringify(created.body)}`);
    return created.body.id;
  };
  const schedule = async (caller: Harness['tenantA']) => {
    const day = 86_400_000;
    const window = `start=${new Date(Date.now() - day).toISOString()}&end=${new Date(Date.now() + day).toISOString()}`;
    const answer = await h.http('GET', `/api/v1/clusters/${h.localClusterId}/schedule?${window}`, {
      caller,
      schema: scheduleResponseSchema,
    });
    expect(answer.status).toBe(200);
    return answer.body;
  };

  it("counts the other tenant's held and queued GPUs in the totals and lists only the caller's jobs", async () => {
    const theirsRunning = await create(h.tenantB, 'b-holds', 'H100-80GB', 3);
    const theirsQueued = await create(h.tenantB, 'b-waits', 'H100-80GB', 6);
    const mine = await create(h.tenantA, 'a-holds', 'A100-80GB', 2);

    const expected = { 'H100-80GB': { total: 8, used: 3, queued: 6 }, 'A100-80GB': { total: 8, used: 2, queued: 0 } };
    const seenByA = await pollUntil(
      () => schedule(h.tenantA),
      (s) => JSON.stringify(s.gpus['H100-80GB']) === JSON.stringify(expected['H100-80GB']) && s.gpus['A100-80GB']?.used === 2,
      { what: 'every tenant counted in the totals', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(seenByA.gpus).toMatchObject(expected);
    expect(seenByA.jobs.map((j) => j.job_id)).toEqual([mine]);

    const seenByB = await schedule(h.tenantB);
    expect(seenByB.gpus).toMatchObject(expected);
    expect(seenByB.jobs.map((j) => j.job_id).sort()).toEqual([theirsRunning, theirsQueued].sort());

    // Cancelling the other tenant's job frees its GPUs; its waiting job is admitted into them.
    expect((await h.http('DELETE', `${jobsPath()}/${theirsRunning}`, { caller: h.tenantB })).status).toBeLessThan(300);
    const after = await pollUntil(
      () => schedule(h.tenantA),
      (s) => s.gpus['H100-80GB']?.used === 6,
      { what: 'the waiting job admitted into the freed GPUs', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(after.gpus['H100-80GB']).toEqual({ total: 8, used: 6, queued: 0 });
  });

  it("shows the caller's queued job with its queue position and the start the other tenant's bounded work gives it (neither for running work)", async () => {
    // B's job takes every A100 still free for at most an hour; the ones A's first job holds never free up (a service).
    const a100 = (await schedule(h.tenantA)).gpus['A100-80GB'];
    const free = (a100?.total ?? 0) - (a100?.used ?? 0);
    expect(free).toBeGreaterThan(0);
    const theirs = await create(h.tenantB, 'b-fills', 'A100-80GB', free, 3600);
    const started = await pollUntil(
      () => h.http<{ status: string; started_at: string | null }>('GET', `${jobsPath()}/${theirs}`, { caller: h.tenantB }),
      (answer) => answer.body.started_at !== null,
      { what: "the other tenant's job started", timeoutMs: 30_000, intervalMs: 200 },
    );
    const mine = await create(h.tenantA, 'a-waits', 'A100-80GB', 1);
    const entry = await pollUntil(
      async () => (await schedule(h.tenantA)).jobs.find((j) => j.job_id === mine),
      (e) => e?.status === 'queued' && e.queue_position !== null,
      { what: 'my job queued with its position', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(entry?.queue_position).toBe(1);
    expect(entry?.estimated_start).toBe(new Date(Date.parse(started.body.started_at as string) + 3_600_000).toISOString());
    expect((await schedule(h.tenantB)).jobs.find((j) => j.job_id === theirs)).toMatchObject({
      queue_position: null,
      estimated_start: null,
    });
  });
});
