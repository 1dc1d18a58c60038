import { buildSchedule } from './schedule';
import type { ScheduledJob } from './schedule';

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

  it('shows a type only other tenants use, with no total when the inventory lacks it', () => {
    const schedule = buildSchedule(window, {}, [], [{ gpuType: 'L40S', used: 2, queued: 0 }]);
    expect(schedule.gpus).toEqual({ L40S: { total: 0, used: 2, queued: 0 } });
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
