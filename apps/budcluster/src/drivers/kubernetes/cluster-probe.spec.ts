import { ManualClock } from '@bud/testing';
import type { ClusterReachability } from '../../domain/namespace-model';
import { ClusterProbe, initialProbeState, nextProbeState, type ProbeState } from './cluster-probe';
import type { DriverLogger } from './watch-event-handler';

const ok = { ok: true } as const;
const fail = (error: string) => ({ ok: false, error }) as const;
type Outcome = typeof ok | ReturnType<typeof fail>;

function run(outcomes: Outcome[], from: ProbeState = initialProbeState): Array<ClusterReachability | undefined> {
  let state = from;
  return outcomes.map((outcome) => {
    const next = nextProbeState(state, outcome);
    state = next.state;
    return next.report;
  });
}

describe('nextProbeState', () => {
  const up = { reachable: true, message: null };
  const down = (message: string) => ({ reachable: false, message });

  it.each<[string, Outcome[], Array<ClusterReachability | undefined>]>([
    ['the first success reports ready, later ones nothing', [ok, ok, ok], [up, undefined, undefined]],
    ['one failure between successes is no outage', [ok, fail('refused'), ok], [up, undefined, undefined]],
    ['the second failure in a row reports unreachable with its error', [ok, fail('a'), fail('b')], [up, undefined, down('b')]],
    ['further failures with the same error report nothing', [ok, fail('a'), fail('a'), fail('a')], [up, undefined, down('a'), undefined]],
    ['a failure with a new error reports that error', [fail('a'), fail('a'), fail('timeout')], [undefined, down('a'), down('timeout')]],
    ['the first success after an outage reports ready again', [fail('a'), fail('a'), ok, ok], [undefined, down('a'), up, undefined]],
    [
      'failures count again from zero after a success',
      [fail('a'), ok, fail('b'), ok, fail('c'), fail('d')],
      [undefined, up, undefined, undefined, undefined, down('d')],
    ],
  ])('%s', (_, outcomes, reports) => {
    expect(run(outcomes)).toEqual(reports);
  });
});

describe('ClusterProbe on an injected clock', () => {
  const logger = (): DriverLogger => ({ debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() });

  function probe(clock: ManualClock, check: () => Promise<void>) {
    const reports: ClusterReachability[] = [];
    const subject = new ClusterProbe({
      clusterId: 'c1',
      intervalMs: 10_000,
      timeoutMs: 5_000,
      clock,
      check,
      report: async (r) => void reports.push(r),
      logger: logger(),
    });
    return { subject, reports };
  }

  it('probes at once and every interval; unreachable after two failures, ready at the first answer', async () => {
    const clock = new ManualClock();
    let answer: Error | undefined;
    const check = jest.fn(async () => {
      if (answer) throw answer;
    });
    const { subject, reports } = probe(clock, check);
    subject.start();
    await clock.advance(0);
    expect(check).toHaveBeenCalledTimes(1);
    expect(reports).toEqual([{ reachable: true, message: null }]);

    answer = new Error('connect ECONNREFUSED 127.0.0.1:6443');
    await clock.advance(10_000);
    expect(check).toHaveBeenCalledTimes(2);
    expect(reports).toHaveLength(1);
    await clock.advance(10_000);
    expect(reports[1]).toEqual({ reachable: false, message: 'connect ECONNREFUSED 127.0.0.1:6443' });

    answer = undefined;
    await clock.advance(10_000);
    expect(reports[2]).toEqual({ reachable: true, message: null });
    await subject.stop();
    await clock.advance(60_000);
    expect(check).toHaveBeenCalledTimes(4);
  });

  it('counts a probe that does not answer within its timeout as failed, naming the timeout', async () => {
    const clock = new ManualClock();
    const { subject, reports } = probe(clock, () => new Promise<void>(() => undefined));
    subject.start();
    await clock.advance(0);
    await clock.advance(5_000 + 10_000 + 5_000);
    expect(reports).toEqual([{ reachable: false, message: 'the API server did not answer within 5000 ms' }]);
    await subject.stop();
  });

  it('keeps probing when recording the reachability fails', async () => {
    const clock = new ManualClock();
    const check = jest.fn(async () => undefined);
    const subject = new ClusterProbe({
      clusterId: 'c1',
      intervalMs: 1_000,
      timeoutMs: 1_000,
      clock,
      check,
      report: async () => {
        throw new Error('database down');
      },
      logger: logger(),
    });
    subject.start();
    await clock.advance(0);
    await clock.advance(3_000);
    expect(check).toHaveBeenCalledTimes(4);
    await subject.stop();
  });
});
