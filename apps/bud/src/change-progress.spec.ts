import type { DeploymentComponentResponse, DeploymentResponse } from '@bud/contracts';
import { makeChangePlan, makeComponent, makeDeployment } from '../test/support/fixtures';
import { changeState, planChangesSomething, progressLines } from './change-progress';

const plan = makeChangePlan();
const before = makeDeployment();
const withComponents = (fields: Partial<DeploymentResponse>, ...components: DeploymentComponentResponse[]) =>
  makeDeployment({ ...fields, components });

describe('changeState', () => {
  const rolledOut = withComponents(
    { status: 'running' },
    makeComponent({ id: 'llm', generation: 2 }),
    makeComponent({ id: 'orchestrator', generation: 2 }),
    makeComponent({ id: 'reranker', status: 'skipped', message: 'removed by update' }),
    makeComponent({ id: 'vector-db' }),
  );

  it('is done once every rolling component runs a newer generation, removed ones are gone, and the deployment runs', () => {
    expect(changeState(plan, before, rolledOut, new Set())).toEqual({ kind: 'done' });
  });

  it('waits on a dependent that has not restarted yet, though the deployment shows running in between', () => {
    const between = withComponents(
      { status: 'running' },
      makeComponent({ id: 'llm', generation: 2 }),
      makeComponent({ id: 'orchestrator', generation: 1 }),
      makeComponent({ id: 'vector-db' }),
    );
    expect(changeState(plan, before, between, new Set())).toEqual({ kind: 'waiting', on: ['orchestrator'] });
  });

  it('counts a component seen updating as applied even when the server shows no generation', () => {
    const noGenerations = withComponents(
      { status: 'running' },
      makeComponent({ id: 'llm', generation: null }),
      makeComponent({ id: 'orchestrator', generation: null }),
      makeComponent({ id: 'vector-db', generation: null }),
    );
    const beforeWithout = withComponents({ status: 'running' }, ...noGenerations.components!);
    expect(changeState(plan, beforeWithout, noGenerations, new Set(['llm']))).toEqual({ kind: 'waiting', on: ['orchestrator'] });
    expect(changeState(plan, beforeWithout, noGenerations, new Set(['llm', 'orchestrator']))).toEqual({ kind: 'done' });
  });

  it('waits while the deployment itself is still updating', () => {
    expect(changeState(plan, before, { ...rolledOut, status: 'updating' }, new Set())).toEqual({ kind: 'waiting', on: ['rag'] });
  });

  it('waits for an added component to run', () => {
    const adding = makeChangePlan({
      components: [{ ...plan.components[3], id: 'cache', change: 'add' }],
      blast_radius: [],
    });
    const pending = withComponents({ status: 'deploying' }, makeComponent({ id: 'cache', status: 'deploying', generation: null }));
    expect(changeState(adding, before, pending, new Set())).toEqual({ kind: 'waiting', on: ['cache'] });
    const running = withComponents({ status: 'running' }, makeComponent({ id: 'cache' }));
    expect(changeState(adding, before, running, new Set())).toEqual({ kind: 'done' });
  });

  it('fails when a changing component fails, or the deployment fails, is stopped or deleted meanwhile', () => {
    const failed = withComponents(
      { status: 'updating' },
      makeComponent({ id: 'llm', status: 'failed', generation: 2, message: 'CrashLoopBackOff' }),
    );
    expect(changeState(plan, before, failed, new Set())).toEqual({ kind: 'failed', reason: 'llm failed: CrashLoopBackOff' });
    expect(changeState(plan, before, { ...rolledOut, status: 'failed', status_message: 'llm failed' }, new Set())).toEqual({
      kind: 'failed',
      reason: 'rag is failed: llm failed',
    });
    expect(changeState(plan, before, { ...rolledOut, status: 'deleting' }, new Set())).toMatchObject({ kind: 'failed' });
  });

  it('is done on a degraded deployment: the wait ends, the command reports the degradation', () => {
    expect(changeState(plan, before, { ...rolledOut, status: 'degraded' }, new Set())).toEqual({ kind: 'done' });
  });
});

describe('planChangesSomething', () => {
  it('is false when every component is unchanged', () => {
    expect(planChangesSomething(plan)).toBe(true);
    expect(planChangesSomething(makeChangePlan({ components: [plan.components[3]] }))).toBe(false);
  });
});

describe('progressLines', () => {
  it('prints one line per move of the deployment or a component: status, health and why', () => {
    const now = withComponents(
      { status: 'degraded', status_message: 'llm: 0/1 replicas ready' },
      makeComponent({ id: 'llm', health: 'unhealthy', health_message: '0/1 replicas ready' }),
      makeComponent({ id: 'orchestrator' }),
      makeComponent({ id: 'reranker' }),
      makeComponent({ id: 'vector-db' }),
    );
    expect(progressLines(before, now, '12:00:01')).toEqual([
      '  12:00:01  rag           degraded                 llm: 0/1 replicas ready',
      '  12:00:01  llm           running     unhealthy    0/1 replicas ready',
    ]);
    expect(progressLines(now, now, '12:00:02')).toEqual([]);
  });
});
