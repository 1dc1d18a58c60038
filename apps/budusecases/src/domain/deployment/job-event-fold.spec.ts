import fc from 'fast-check';
import type { JobStatus } from '@bud/contracts';
import type { ComponentJobView, JobEventView } from './job-event-fold';
import { foldJobEvent, parseJobSourceId, jobSourceId } from './job-event-fold';

const start: ComponentJobView = { status: 'deploying', jobId: null, jobStatus: null, jobVersion: 0, revision: 0 };
const fold = (events: JobEventView[], desired: 'running' | 'stopped' = 'running', initial = start) =>
  events.reduce((component, event) => foldJobEvent(component, event, { run: 1, desired }) ?? component, initial);

// A job's real life: each status change bumps its version.
const lifeCycles: JobStatus[][] = [
  ['pending', 'admitted', 'running'],
  ['pending', 'queued', 'admitted', 'running', 'failed'],
  ['pending', 'admitted', 'running', 'cancelled'],
  ['pending', 'failed', 'pending', 'admitted', 'running'],
  ['pending', 'queued', 'admitted', 'running', 'preempted', 'queued', 'admitted', 'running'],
];
const eventsOf = (statuses: JobStatus[]): JobEventView[] =>
  statuses.map((status, i) => ({ jobId: 'job-1', version: i + 1, status, run: 1, revision: 0 }));

describe('folding job events into a component', () => {
  it('ends, for ≥ 1,000 duplicated and reordered deliveries, where the in-order sequence ends', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...lifeCycles),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.constantFrom('running' as const, 'stopped' as const),
        (statuses, picks, desired) => {
          const inOrder = eventsOf(statuses);
          // Every event at least once, plus duplicates, in a random order.
          const delivered = [...inOrder, ...picks.map((p) => inOrder[p % inOrder.length])];
          const shuffled = delivered
            .map((e, i) => ({ e, key: picks[i % picks.length] * 31 + i * 7 }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.e);
          expect(fold(shuffled, desired)).toEqual(fold(inOrder, desired));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('ignores events of a job an update replaced', () => {
    const replaced = { ...start, revision: 1 };
    expect(
      foldJobEvent(replaced, { jobId: 'old', version: 7, status: 'cancelled', run: 1, revision: 0 }, { run: 1, desired: 'running' }),
    ).toBeNull();
    expect(
      foldJobEvent(replaced, { jobId: 'new', version: 1, status: 'pending', run: 1, revision: 1 }, { run: 1, desired: 'running' })?.jobId,
    ).toBe('new');
  });

  it('ignores events of another run or another job', () => {
    const other = { jobId: 'job-1', version: 5, status: 'running' as const, run: 2, revision: 0 };
    expect(foldJobEvent(start, other, { run: 1, desired: 'running' })).toBeNull();
    const adopted = fold([{ jobId: 'job-1', version: 1, status: 'pending', run: 1, revision: 0 }]);
    expect(
      foldJobEvent(adopted, { jobId: 'job-2', version: 9, status: 'running', run: 1, revision: 0 }, { run: 1, desired: 'running' }),
    ).toBeNull();
  });

  it('never brings a stopped deployment back to running', () => {
    const stopped = fold(eventsOf(['pending', 'admitted', 'running', 'cancelled']), 'stopped');
    expect(stopped.status).toBe('stopped');
    const late = foldJobEvent(
      stopped,
      { jobId: 'job-1', version: 3, status: 'running', run: 1, revision: 0 },
      { run: 1, desired: 'stopped' },
    );
    expect(late).toBeNull();
  });

  it('round-trips source ids and refuses malformed ones', () => {
    expect(parseJobSourceId(jobSourceId('vector-db', 3))).toEqual({ componentId: 'vector-db', run: 3, revision: 0 });
    expect(parseJobSourceId(jobSourceId('llm', 1, 2))).toEqual({ componentId: 'llm', run: 1, revision: 2 });
    for (const bad of [null, '', 'x', 'a#b', '#1', 'UPPER#1']) expect(parseJobSourceId(bad)).toBeNull();
  });

  describe('health and in-place rollouts (docs/design.md#deployment-update)', () => {
    const runningComponent = { ...fold(eventsOf(['pending', 'admitted', 'running'])), health: 'healthy' as const, unhealthySince: null };
    const desired = { run: 1, desired: 'running' as const };
    const event = (version: number, fields: Partial<JobEventView> = {}): JobEventView => ({
      jobId: 'job-1',
      version,
      status: 'running',
      run: 1,
      revision: 0,
      ...fields,
    });

    it('records when a component turned unhealthy and keeps that time until it is healthy again', () => {
      const t1 = new Date('2026-01-01T00:00:01Z');
      const sick = foldJobEvent(runningComponent, event(4, { health: 'unhealthy', healthReason: 'Unready', healthMessage: '0/1 ready' }), {
        ...desired,
        now: t1,
      })!;
      expect(sick).toMatchObject({ status: 'running', health: 'unhealthy', healthMessage: '0/1 ready', unhealthySince: t1 });
      const still = foldJobEvent(sick, event(5, { health: 'unhealthy', healthReason: 'CrashLoopBackOff' }), {
        ...desired,
        now: new Date('2026-01-01T00:00:09Z'),
      })!;
      expect(still).toMatchObject({ health: 'unhealthy', healthMessage: 'CrashLoopBackOff', unhealthySince: t1 });
      expect(foldJobEvent(still, event(6, { health: 'healthy' }), desired)).toMatchObject({
        health: 'healthy',
        healthMessage: null,
        unhealthySince: null,
      });
    });

    it('keeps an updating component updating until the cluster rolled out its generation, or rolled it back', () => {
      const updating = { ...runningComponent, status: 'updating' as const, generation: 2 };
      const rolling = { generation: 2, observed_generation: 1 };
      expect(foldJobEvent(updating, event(4, { health: 'progressing', rollout: rolling }), desired)?.status).toBe('updating');
      expect(foldJobEvent(updating, event(4, { rollout: { generation: 2, observed_generation: 2 } }), desired)?.status).toBe('running');
      const rolledBack = { generation: 3, observed_generation: 1 };
      expect(
        foldJobEvent(updating, event(4, { healthReason: 'RolledBack', health: 'progressing', rollout: rolledBack }), desired)?.status,
      ).toBe('running');
    });

    it('never fails the deployment over the job of a component an update dropped', () => {
      const removed = { ...runningComponent, removed: true };
      expect(foldJobEvent(removed, event(4, { status: 'cancelled' }), desired)?.status).toBe('stopped');
      expect(foldJobEvent(removed, event(4, { status: 'failed' }), desired)?.status).toBe('stopped');
      expect(foldJobEvent(removed, event(4, { status: 'running', health: 'unhealthy' }), desired)?.status).toBe('running');
    });
  });
});
