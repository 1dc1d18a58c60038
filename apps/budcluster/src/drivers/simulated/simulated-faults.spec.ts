import type { SimulatedFault } from '@bud/contracts';
import { ManualClock } from '@bud/testing';
import { makeJob } from '../../../test/support/job-model.builder';
import { faultFor, faultStateAt, replicasOnlyChange } from './simulated-faults';

const job = makeJob({ name: 'chat-api' });
const unready = (extra: Partial<SimulatedFault> = {}): SimulatedFault => ({ match: { image: 'acme/api' }, kind: 'unready', ...extra });

describe('faultFor (docs/design.md#simulated-faults)', () => {
  it('matches by image substring or job name, first match wins', () => {
    const byName: SimulatedFault = { match: { job_name: 'chat-api' }, kind: 'crash' };
    expect(faultFor(job, [unready(), byName])).toEqual(unready());
    expect(faultFor(job, [{ match: { image: 'other' }, kind: 'crash' }, byName])).toEqual(byName);
    expect(faultFor(job, [{ match: { job_name: 'chat' }, kind: 'crash' }])).toBeUndefined();
    expect(
      faultFor(makeJob({}, { kind: 'model', engine: 'vllm', model_id: 'a/b' }), [{ match: { image: 'vllm' }, kind: 'never_ready' }])?.kind,
    ).toBe('never_ready');
  });
});

describe('faultStateAt', () => {
  it('unready after after_seconds, back after for_seconds, on the clock', async () => {
    const clock = new ManualClock(10_000);
    const since = clock.now();
    const fault = unready({ after_seconds: 5, for_seconds: 3 });
    expect(faultStateAt(fault, job, since, clock.now())).toMatchObject({ health: { health: 'healthy' }, nextChangeAt: 15_000 });
    await clock.advance(5_000);
    expect(faultStateAt(fault, job, since, clock.now())).toMatchObject({
      health: { health: 'unhealthy', reason: 'Unready', message: '0/1 replicas ready' },
      nextChangeAt: 18_000,
    });
    await clock.advance(3_000);
    expect(faultStateAt(fault, job, since, clock.now())).toMatchObject({ health: { health: 'healthy' }, nextChangeAt: null });
  });

  it('unready without for_seconds stays unhealthy', () => {
    expect(faultStateAt(unready(), job, 0, 1_000_000)).toMatchObject({ health: { health: 'unhealthy' }, nextChangeAt: null });
  });

  it('crash: a service crash-loops, a batch job fails', () => {
    const crash: SimulatedFault = { match: { image: 'x' }, kind: 'crash', after_seconds: 2 };
    expect(faultStateAt(crash, job, 0, 1_999)).toMatchObject({ failed: false, health: { health: 'healthy' }, nextChangeAt: 2_000 });
    expect(faultStateAt(crash, job, 0, 2_000)).toMatchObject({
      failed: false,
      health: { health: 'unhealthy', reason: 'CrashLoopBackOff' },
    });
    expect(faultStateAt(crash, { ...job, jobType: 'batch' }, 0, 2_000)).toMatchObject({ failed: true });
  });

  it('never_ready and no fault leave ready pods healthy', () => {
    expect(faultStateAt(undefined, job, 0, 0).health.health).toBe('healthy');
    expect(faultStateAt({ match: { image: 'x' }, kind: 'never_ready' }, job, 0, 0).health.health).toBe('healthy');
  });
});

describe('replicasOnlyChange', () => {
  it('is true only when nothing but the replica count differs', () => {
    expect(replicasOnlyChange(job, { ...job, generation: 2, resources: { ...job.resources, replicas: 3 } })).toBe(true);
    expect(replicasOnlyChange(job, { ...job, resources: { ...job.resources, cpu_request: '2' } })).toBe(false);
    expect(replicasOnlyChange(job, makeJob({}, { kind: 'container', image: 'other:1', env: {}, ports: [] }))).toBe(false);
  });
});
