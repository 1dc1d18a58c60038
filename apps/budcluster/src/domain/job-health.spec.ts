import type { ObservedStatus } from './job-model';
import { healthAfter } from './job-health';
import type { JobHealthRow } from './job-health';

const spec = { kind: 'container', image: 'nginx:1.27', env: {}, ports: [{ port: 80, protocol: 'TCP' }] } as const;
const resources = { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 2 };

const row = (overrides: Partial<JobHealthRow> = {}): JobHealthRow => ({
  status: 'running',
  spec: { ...spec, ports: [...spec.ports] },
  resources,
  secretEnvSealed: null,
  health: 'healthy',
  healthReason: 'Available',
  healthMessage: null,
  generation: 1,
  observedGeneration: 1,
  rolloutReplicas: 2,
  readyReplicas: 2,
  updatedReplicas: 2,
  rolloutStartedAt: null,
  lastGoodGeneration: 1,
  lastGoodSpec: null,
  lastGoodResources: null,
  lastGoodSecretEnvSealed: null,
  ...overrides,
});
const observed = (overrides: Partial<ObservedStatus> = {}): ObservedStatus => ({
  jobId: 'j',
  status: 'running',
  reason: 'Available',
  ...overrides,
});
const rollout = (generation: number, complete: boolean, ready = 2) => ({
  generation,
  complete,
  replicas: 2,
  readyReplicas: ready,
  updatedReplicas: 2,
});

describe('healthAfter (docs/design.md#job-health)', () => {
  it('a move to running without a health observation is healthy and completes the generation it was given', () => {
    const change = healthAfter(
      row({ status: 'admitted', health: 'unknown', healthReason: null, observedGeneration: 0, lastGoodGeneration: null }),
      observed(),
      true,
    );
    expect(change?.fields).toMatchObject({ health: 'healthy', observedGeneration: 1, lastGoodGeneration: 1 });
  });

  it('a terminal status is unknown and ends a rollout under way', () => {
    const updating = row({ generation: 2, rolloutStartedAt: new Date(0) });
    expect(healthAfter(updating, observed({ status: 'failed', reason: 'CrashLoopBackOff' }), true)?.fields).toMatchObject({
      health: 'unknown',
      healthReason: 'CrashLoopBackOff',
      rolloutStartedAt: null,
    });
  });

  it('records an unhealthy observation as a health change, and nothing for a repeat', () => {
    const unready = observed({
      health: { health: 'unhealthy', reason: 'Unready', message: '0/2 replicas ready' },
      rollout: rollout(1, true, 0),
    });
    const change = healthAfter(row(), unready, false);
    expect(change).toEqual({
      kind: 'health',
      fields: { health: 'unhealthy', healthReason: 'Unready', healthMessage: '0/2 replicas ready', readyReplicas: 0 },
    });
    const after = row({ health: 'unhealthy', healthReason: 'Unready', healthMessage: '0/2 replicas ready', readyReplicas: 0 });
    expect(healthAfter(after, unready, false)).toBeNull();
  });

  it('a complete rollout of the current generation ends the rollout, makes the spec the last good one, and is a rollout event', () => {
    const updating = row({ generation: 2, health: 'progressing', rolloutStartedAt: new Date(0) });
    const change = healthAfter(updating, observed({ rollout: rollout(2, true) }), false);
    expect(change?.kind).toBe('rollout');
    expect(change?.fields).toMatchObject({ observedGeneration: 2, rolloutStartedAt: null, health: 'healthy', lastGoodGeneration: 2 });
    expect(change?.fields.lastGoodSpec).toEqual(updating.spec);
  });

  it('ignores a stale generation and keeps an update progressing while the old one reports healthy', () => {
    const updating = row({
      generation: 3,
      observedGeneration: 2,
      health: 'progressing',
      healthReason: 'RollingUpdate',
      rolloutStartedAt: new Date(0),
    });
    expect(healthAfter(updating, observed({ rollout: rollout(1, true) }), false)).toBeNull();
    expect(
      healthAfter(updating, observed({ health: { health: 'healthy', reason: 'Ready' }, rollout: rollout(2, true) }), false),
    ).toBeNull();
  });

  it('an older complete generation moves observed_generation but does not end the newer rollout', () => {
    const updating = row({
      generation: 3,
      observedGeneration: 1,
      health: 'progressing',
      healthReason: 'RollingUpdate',
      rolloutStartedAt: new Date(0),
    });
    const change = healthAfter(updating, observed({ rollout: rollout(2, true) }), false);
    expect(change?.fields).toEqual({ observedGeneration: 2 });
  });

  it('an incomplete rollout of the new generation records replica counts only', () => {
    const updating = row({ generation: 2, health: 'progressing', healthReason: 'RollingUpdate', rolloutStartedAt: new Date(0) });
    const change = healthAfter(updating, observed({ rollout: { ...rollout(2, false), updatedReplicas: 1 } }), false);
    expect(change).toEqual({ kind: 'rollout', fields: { updatedReplicas: 1 } });
  });
});
