import type { ComponentState, DeploymentState } from './deployment-state';
import {
  aggregateStatus,
  blockedBy,
  componentStatusFromJob,
  deploymentStatusMessage,
  nextHealthDeadline,
  planActions,
} from './deployment-state';

// simple-rag shape: db and embedder first, llm independent, orchestrator needs all three.
const rag = (overrides: Record<string, Partial<ComponentState>> = {}): ComponentState[] =>
  [
    { id: 'db', dependsOn: [] },
    { id: 'embed', dependsOn: [] },
    { id: 'llm', dependsOn: [] },
    { id: 'orch', dependsOn: ['db', 'embed', 'llm'] },
  ].map((c) => ({ status: 'pending', jobId: null, jobStatus: null, ...c, ...overrides[c.id] }));
const running = { status: 'running', jobId: 'j', jobStatus: 'running' } as const;
const state = (components: ComponentState[], over: Partial<DeploymentState> = {}): DeploymentState => ({
  desired: 'running',
  status: 'deploying',
  onFailure: 'stop',
  components,
  ...over,
});
const kinds = (s: DeploymentState) => planActions(s).map((a) => ('componentId' in a ? `${a.kind}:${a.componentId}` : a.kind));

describe('deployment state', () => {
  it('starts every component whose dependencies run, and nothing else', () => {
    expect(kinds(state(rag()))).toEqual(['create_job:db', 'create_job:embed', 'create_job:llm']);
    expect(kinds(state(rag({ db: running, embed: running, llm: { status: 'deploying', jobId: 'j', jobStatus: 'admitted' } })))).toEqual([]);
    expect(kinds(state(rag({ db: running, embed: running, llm: running })))).toEqual(['create_job:orch']);
  });

  it('re-creates a job recorded as deploying without a job id (a crash between create and record)', () => {
    expect(kinds(state(rag({ db: { status: 'deploying' } })))).toEqual(['create_job:db', 'create_job:embed', 'create_job:llm']);
  });

  // docs/design.md#in-place-update: no job is replaced; a running component due a change is patched in place.
  it('patches a component due an update in place, a dependent only once its dependencies have settled', () => {
    const due = rag({ db: { ...running, updateDue: true }, embed: running, llm: running, orch: { ...running, updateDue: true } });
    expect(kinds(state(due, { status: 'running' }))).toEqual(['update_job:db']);
    expect(aggregateStatus(state(due, { status: 'running' }))).toBe('updating');
    const dbRolling = rag({ db: { ...running, status: 'updating' }, embed: running, llm: running, orch: { ...running, updateDue: true } });
    expect(kinds(state(dbRolling, { status: 'updating' }))).toEqual([]);
    expect(aggregateStatus(state(dbRolling, { status: 'updating' }))).toBe('updating');
    const dbDone = rag({ db: running, embed: running, llm: running, orch: { ...running, updateDue: true } });
    expect(kinds(state(dbDone, { status: 'updating' }))).toEqual(['update_job:orch']);
    expect(aggregateStatus(state(rag({ db: running, embed: running, llm: running, orch: running }), { status: 'updating' }))).toBe(
      'running',
    );
  });

  it('starts what an update adds while the deployment stays updating, and drops what it removes dependents first', () => {
    const added = rag({ db: running, embed: running, llm: running, orch: { status: 'pending' } });
    expect(kinds(state(added, { status: 'running' }))).toEqual(['create_job:orch']);
    expect(aggregateStatus(state(added, { status: 'running' }))).toBe('updating');
    const orchDeploying = rag({
      db: running,
      embed: running,
      llm: running,
      orch: { status: 'deploying', jobId: 'j', jobStatus: 'admitted' },
    });
    expect(aggregateStatus(state(orchDeploying, { status: 'updating' }))).toBe('updating');
    const dropped = rag({ db: running, embed: { ...running, removed: true }, llm: running, orch: { ...running, removed: true } });
    expect(kinds(state(dropped, { status: 'running' }))).toEqual(['cancel_job:orch']);
    expect(aggregateStatus(state(dropped, { status: 'running' }))).toBe('updating');
    const orchEnded = rag({
      db: running,
      embed: { ...running, removed: true },
      llm: running,
      orch: { status: 'stopped', jobId: 'j', jobStatus: 'cancelled', removed: true },
    });
    expect(kinds(state(orchEnded, { status: 'updating' }))).toEqual(['cancel_job:embed', 'remove_component:orch']);
    const gone = rag({
      db: running,
      embed: { status: 'skipped', removed: true },
      llm: running,
      orch: { status: 'skipped', removed: true },
    });
    expect(kinds(state(gone, { status: 'updating' }))).toEqual([]);
    expect(aggregateStatus(state(gone, { status: 'updating' }))).toBe('running');
  });

  it('is degraded once a component has been unhealthy past the grace period, naming it and why, and running on recovery', () => {
    const sick = (since: number) =>
      rag({
        db: running,
        embed: running,
        llm: { ...running, health: 'unhealthy', healthMessage: '0/1 replicas ready', unhealthySince: since },
        orch: running,
      });
    const at = (now: number, components: ComponentState[]) => state(components, { status: 'running', now, degradedGraceMs: 1000 });
    expect(aggregateStatus(at(1500, sick(1000)))).toBe('running');
    expect(nextHealthDeadline(at(1500, sick(1000)))).toBe(2000);
    const degraded = at(2000, sick(1000));
    expect(aggregateStatus(degraded)).toBe('degraded');
    expect(deploymentStatusMessage(degraded, 'degraded')).toBe('llm is unhealthy: 0/1 replicas ready');
    expect(nextHealthDeadline(degraded)).toBeNull();
    expect(kinds(degraded)).toEqual([]);
    const healed = rag({ db: running, embed: running, llm: { ...running, health: 'healthy' }, orch: running });
    expect(aggregateStatus(at(5000, healed))).toBe('running');
  });

  it('explains what a pending component waits for', () => {
    const components = rag({ db: running });
    expect(blockedBy(components[3], components)).toEqual(['embed', 'llm']);
  });

  it('launches nothing more after a failure with on_failure=stop, and rolls back with rollback', () => {
    const failedLlm = rag({ db: running, embed: running, llm: { status: 'failed', jobId: 'j', jobStatus: 'failed' } });
    expect(kinds(state(failedLlm))).toEqual([]);
    expect(kinds(state(failedLlm, { onFailure: 'rollback' }))).toEqual(['cancel_job:db', 'cancel_job:embed']);
    expect(aggregateStatus(state(failedLlm))).toBe('failed');
  });

  it('stops dependents before what they depend on, and cancels until the job is known to have ended', () => {
    const all = rag({ db: running, embed: running, llm: running, orch: running });
    expect(kinds(state(all, { desired: 'stopped' }))).toEqual(['cancel_job:orch']);
    const orchGone = rag({ db: running, embed: running, llm: running, orch: { status: 'stopped', jobId: 'j', jobStatus: 'cancelled' } });
    expect(kinds(state(orchGone, { desired: 'stopped' }))).toEqual(['cancel_job:db', 'cancel_job:embed', 'cancel_job:llm']);
  });

  // Issue 16: a job event folded while stopping says `stopping` before any cancel was sent; the job's status decides.
  it.each([
    ['stopping', 'running', 'stopped'],
    ['stopping', 'admitted', 'stopped'],
    ['deleting', 'pending', 'deleted'],
    ['pending', 'queued', 'stopped'],
    ['running', 'preempted', 'deleted'],
  ] as const)('cancels the job of a %s component whose job is %s while the deployment wants %s', (status, jobStatus, desired) => {
    const components = rag({ db: { status, jobId: 'j', jobStatus } });
    expect(kinds(state(components, { desired }))).toContain('cancel_job:db');
    expect(aggregateStatus(state(components, { desired }))).toBe(desired === 'stopped' ? 'stopping' : 'deleting');
  });

  it('marks a component stopped once its job ended, whatever a job event said before', () => {
    const ended = rag({
      db: { status: 'stopping', jobId: 'j', jobStatus: 'cancelled' },
      embed: { status: 'deploying' },
      llm: { status: 'failed', jobId: 'j', jobStatus: 'failed' },
      orch: { status: 'stopped' },
    });
    expect(kinds(state(ended, { desired: 'stopped' }))).toEqual(['mark_stopped:db', 'mark_stopped:embed']);
    expect(aggregateStatus(state(ended, { desired: 'stopped' }))).toBe('stopped');
  });

  it('marks never-started components stopped, and deletes jobs then the record when deleting', () => {
    expect(kinds(state(rag({ db: running }), { desired: 'stopped' }))).toEqual([
      'cancel_job:db',
      'mark_stopped:embed',
      'mark_stopped:llm',
      'mark_stopped:orch',
    ]);
    const cancelled = { status: 'deleting', jobId: 'j', jobStatus: 'cancelled' } as const;
    expect(kinds(state(rag({ db: cancelled, embed: cancelled, llm: cancelled, orch: cancelled }), { desired: 'deleted' }))).toEqual([
      'delete_job:db',
      'delete_job:embed',
      'delete_job:llm',
      'delete_job:orch',
    ]);
    const gone = { status: 'deleting', jobId: null, jobStatus: null } as const;
    expect(kinds(state(rag({ db: gone, embed: gone, llm: gone, orch: gone }), { desired: 'deleted' }))).toEqual(['delete_record']);
  });

  it.each([
    ['running', 'running', 'pending', 'running'],
    ['admitted', 'running', 'pending', 'deploying'],
    ['failed', 'running', 'deploying', 'failed'],
    ['cancelled', 'running', 'running', 'failed'],
    ['running', 'stopped', 'stopping', 'stopping'],
    ['cancelled', 'stopped', 'stopping', 'stopped'],
    ['running', 'stopped', 'pending', 'pending'],
    ['cancelled', 'deleted', 'deleting', 'deleting'],
  ] as const)('a %s job while the deployment wants %s turns a %s component %s', (job, desired, current, expected) => {
    expect(componentStatusFromJob(job, desired, current)).toBe(expected);
  });

  it('aggregates worst-of, with degraded for a running deployment that lost a component', () => {
    expect(aggregateStatus(state(rag({ db: running, embed: running, llm: running, orch: running })))).toBe('running');
    const lost = rag({ db: running, embed: running, llm: { status: 'deploying', jobId: 'j', jobStatus: 'preempted' }, orch: running });
    expect(aggregateStatus(state(lost, { status: 'running' }))).toBe('degraded');
    expect(aggregateStatus(state(lost, { status: 'deploying' }))).toBe('deploying');
    expect(aggregateStatus(state(rag({ db: { status: 'skipped' }, embed: running, llm: running, orch: running })))).toBe('running');
    expect(aggregateStatus(state(rag(), { desired: 'stopped' }))).toBe('stopped');
  });
});
