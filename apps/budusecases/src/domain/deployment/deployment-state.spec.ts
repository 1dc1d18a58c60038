import type { ComponentState, DeploymentState } from './deployment-state';
import { aggregateStatus, blockedBy, componentStatusFromJob, planActions } from './deployment-state';

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

  it('replaces the job of an updated component (pending with a job) once its dependencies run', () => {
    const updated = rag({ db: running, embed: { status: 'pending', jobId: 'old', jobStatus: 'running' }, llm: running, orch: running });
    expect(kinds(state(updated, { status: 'running' }))).toEqual(['replace_job:embed']);
    expect(aggregateStatus(state(updated, { status: 'running' }))).toBe('deploying');
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
