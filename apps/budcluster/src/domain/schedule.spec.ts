import { buildSchedule, estimateStarts } from './schedule';
import type { ClusterWork, ScheduledJob } from './schedule';
import type { ClusterQuotas, TenantQuota } from './quota-model';
import { BUILT_IN_DEFAULT_QUOTA } from './quota-model';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));
const job = (overrides: Partial<ScheduledJob>): ScheduledJob => ({
  id: 'j',
  name: 'j',
  status: 'running',
  jobType: 'service',
  gpuType: 'A100-80GB',
  gpuCount: 2,
  createdAt: at(0),
  queuedAt: null,
  startedAt: at(1),
  completedAt: null,
  ...overrides,
});

describe('buildSchedule', () => {
  const window = { start: at(0), end: at(60) };

  it("takes used and queued GPUs from the cluster-wide usage, not from the caller's jobs", () => {
    const schedule = buildSchedule(
      window,
      { 'A100-80GB': 8 },
      [job({ id: 'a' }), job({ id: 'c', status: 'succeeded', completedAt: at(5), gpuType: 'H100-80GB', gpuCount: 1 })],
      [{ gpuType: 'A100-80GB', used: 6, queued: 4 }],
    );
    expect(schedule.gpus).toEqual({ 'A100-80GB': { total: 8, used: 6, queued: 4 }, 'H100-80GB': { total: 0, used: 0, queued: 0 } });
    expect(schedule.jobs.map((entry) => entry.job_id)).toEqual(['a', 'c']);
  });

  it('keeps a type only other tenants name to themselves, and a type named like an Object member off Object.prototype', () => {
    const schedule = buildSchedule(
      window,
      { 'A100-80GB': 8 },
      [],
      [
        { gpuType: 'b-secret-codename', used: 2, queued: 0 },
        { gpuType: 'constructor', used: 1, queued: 1 },
        { gpuType: 'A100-80GB', used: 3, queued: 0 },
      ],
    );
    expect(schedule.gpus).toEqual({ 'A100-80GB': { total: 8, used: 3, queued: 0 } });
    expect(({} as Record<string, unknown>).used).toBeUndefined();
    expect(schedule.jobs).toEqual([]);
  });

  it('uses actual ends when finished and estimates otherwise', () => {
    const [finished, bounded, open] = buildSchedule(
      window,
      {},
      [job({ completedAt: at(9) }), job({ maxRuntimeSeconds: 600 }), job({})],
      [],
    ).jobs;
    expect(finished).toMatchObject({ end: at(9).toISOString(), end_is_estimate: false });
    expect(bounded).toMatchObject({ end: at(11).toISOString(), end_is_estimate: true });
    expect(open).toMatchObject({ start: at(1).toISOString(), end: at(60).toISOString(), end_is_estimate: true });
  });
});

describe('estimateStarts', () => {
  const now = at(0);
  const work = (id: string, overrides: Partial<ClusterWork>): ClusterWork => ({
    id,
    tenantId: 'a',
    status: 'queued',
    gpuType: 'H100',
    gpuCount: 2,
    priority: 0,
    createdAt: at(0),
    queuedAt: at(0),
    startedAt: null,
    ...overrides,
  });
  const running = (id: string, gpuCount: number, startedMinute: number, maxRuntimeSeconds?: number) =>
    work(id, { status: 'running', gpuCount, startedAt: at(startedMinute), ...(maxRuntimeSeconds ? { maxRuntimeSeconds } : {}) });
  const iso = (starts: Map<string, Date | null>) =>
    Object.fromEntries([...starts].map(([id, start]) => [id, start === null ? null : start.toISOString()]));

  const quotaOf = (tenantId: string, nominal: number, borrowingLimit: number | null, cohort = true): TenantQuota => ({
    tenantId,
    gpus: { H100: { nominal, borrowingLimit } },
    cpuMillis: null,
    memoryBytes: null,
    weight: 1,
    cohort,
  });
  const quotas = (...tenants: TenantQuota[]): ClusterQuotas => ({ defaultQuota: BUILT_IN_DEFAULT_QUOTA, tenants });

  const cases: Array<{
    name: string;
    inventory: Record<string, number>;
    work: ClusterWork[];
    quotas?: ClusterQuotas;
    expected: Record<string, string | null>;
  }> = [
    {
      name: 'free GPUs now: it starts now',
      inventory: { H100: 4 },
      work: [running('r', 2, 0), work('q', {})],
      expected: { q: at(0).toISOString() },
    },
    {
      name: 'the cluster is full: it starts when enough running work reaches its max runtime',
      inventory: { H100: 4 },
      work: [running('r1', 2, 0, 600), running('r2', 2, 0, 1200), work('q', { gpuCount: 3 })],
      expected: { q: at(20).toISOString() },
    },
    {
      name: 'in queue order: priority first, then time queued; each waits for the GPUs the ones ahead took',
      inventory: { H100: 4 },
      work: [
        running('r', 4, 0, 600),
        work('late-high', { priority: 100, queuedAt: at(5), maxRuntimeSeconds: 300 }),
        work('early', { queuedAt: at(1), gpuCount: 4 }),
        work('later', { queuedAt: at(2), gpuCount: 2 }),
      ],
      expected: { 'late-high': at(10).toISOString(), early: at(15).toISOString(), later: null },
    },
    {
      name: 'work past its max runtime is counted as ending now',
      inventory: { H100: 2 },
      work: [running('r', 2, -5, 60), work('q', {})],
      expected: { q: at(0).toISOString() },
    },
    {
      name: 'behind work without an end (a service), or more than the cluster has: unknown, and it holds no one back',
      inventory: { H100: 4 },
      work: [
        running('svc', 3, 0),
        work('big', { gpuCount: 5, queuedAt: at(0) }),
        work('two', { queuedAt: at(1) }),
        work('one', { gpuCount: 1, queuedAt: at(2) }),
      ],
      expected: { big: null, two: null, one: at(0).toISOString() },
    },
    {
      name: 'each GPU type has its own pool; work without GPUs has no estimate',
      inventory: { H100: 2, L4: 1 },
      work: [
        running('r', 2, 0, 600),
        work('h', {}),
        work('l', { gpuType: 'L4', gpuCount: 1 }),
        work('cpu', { gpuType: null, gpuCount: 0 }),
      ],
      expected: { cpu: null, h: at(10).toISOString(), l: at(0).toISOString() },
    },
    {
      name: 'a tenant whose quota its own endless work fills never starts, though the cluster has GPUs free',
      inventory: { H100: 8 },
      work: [running('svc', 1, 0), work('q', { gpuCount: 1 })],
      quotas: quotas(quotaOf('a', 1, 0)),
      expected: { q: null },
    },
    {
      name: 'a tenant at its quota starts when its own bounded work ends, not when the cluster frees up',
      inventory: { H100: 8 },
      work: [running('own', 2, 0, 900), work('q', {})],
      quotas: quotas(quotaOf('a', 2, 1)),
      expected: { q: at(15).toISOString() },
    },
    {
      name: 'outside the cohort only the nominal quota counts; more than it never starts',
      inventory: { H100: 8 },
      work: [work('fits', { gpuCount: 2 }), work('too-big', { gpuCount: 3, queuedAt: at(1) })],
      quotas: quotas(quotaOf('a', 2, null, false)),
      expected: { fits: at(0).toISOString(), 'too-big': null },
    },
    {
      name: "one tenant's quota-blocked queue holds back no other tenant's work",
      inventory: { H100: 4 },
      work: [running('a-svc', 2, 0), work('a-waits', { queuedAt: at(0) }), work('b-next', { tenantId: 'b', queuedAt: at(1) })],
      quotas: quotas(quotaOf('a', 2, 0), quotaOf('b', 2, 0)),
      expected: { 'a-waits': null, 'b-next': at(0).toISOString() },
    },
    {
      name: 'work starts only where it can run to its end: it may not take GPUs that queued work ahead already claimed',
      inventory: { H100: 4 },
      work: [
        running('r', 2, 0, 600),
        work('ahead', { gpuCount: 4, queuedAt: at(0) }),
        work('short', { tenantId: 'b', queuedAt: at(1), maxRuntimeSeconds: 300 }),
        work('long', { tenantId: 'c', queuedAt: at(2), maxRuntimeSeconds: 1200 }),
      ],
      expected: { ahead: at(10).toISOString(), short: at(0).toISOString(), long: null },
    },
    {
      name: 'admitted work without a start holds its GPUs from now',
      inventory: { H100: 2 },
      work: [work('a', { status: 'admitted', maxRuntimeSeconds: 120 }), work('q', { status: 'pending' })],
      expected: { q: at(2).toISOString() },
    },
  ];
  it.each(cases)('$name', ({ inventory, work: given, quotas: limits, expected }) => {
    expect(iso(estimateStarts(now, inventory, given, limits))).toEqual(expected);
  });

  it('the schedule shows queued entries with their position and estimated start, and neither for running ones', () => {
    const schedule = buildSchedule(
      { start: at(0), end: at(60) },
      { H100: 2 },
      [
        job({ id: 'r', gpuType: 'H100', queuePosition: null }),
        job({ id: 'q', status: 'queued', gpuType: 'H100', startedAt: null, queuedAt: at(2), queuePosition: 1 }),
      ],
      [{ gpuType: 'H100', used: 2, queued: 2 }],
      new Map([['q', at(30)]]),
    );
    expect(schedule.jobs.map((e) => [e.job_id, e.queue_position, e.estimated_start])).toEqual([
      ['r', null, null],
      ['q', 1, at(30).toISOString()],
    ]);
  });
});
