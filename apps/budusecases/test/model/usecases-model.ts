import type { ComponentStatus, DeploymentStatus, FailurePolicy, JobStatus } from '@bud/contracts';
import type { Action, DesiredState } from '../../src/domain/deployment/deployment-state';
import { aggregateStatus, componentStatusFromJob, planActions } from '../../src/domain/deployment/deployment-state';
import type { Verdict } from '../../src/domain/deployment/desired-state-change';
import { deleteVerdict, startVerdict, stopVerdict } from '../../src/domain/deployment/desired-state-change';
import type { JobEventView } from '../../src/domain/deployment/job-event-fold';
import { foldJobEvent, jobBelongs } from '../../src/domain/deployment/job-event-fold';
import type { BudclusterModel, ModelJob, ModelJobEvent } from './budcluster-model';
import { isActive } from './budcluster-model';

export interface StoredComponent {
  id: string;
  dependsOn: string[];
  status: ComponentStatus;
  jobId: string | null;
  jobStatus: JobStatus | null;
  jobVersion: number;
  revision: number;
  /** The plan's job, as a stand-in hash an update bumps; `appliedHash` is the one last sent to budcluster. */
  desiredHash: number;
  appliedHash: number | null;
  generation: number | null;
  /** Dropped by an update (the model drops and re-adds the leaf `orch`). */
  removed: boolean;
}

export interface StoredDeployment {
  desired: DesiredState;
  status: DeploymentStatus;
  onFailure: FailurePolicy;
  run: number;
  components: StoredComponent[];
}

/** One reconciler action in flight: its remaining steps, each run against the state as it is then. */
type Step = () => Step | null;

const UPDATABLE: readonly DeploymentStatus[] = ['running', 'updating', 'degraded', 'failed'];
const noJob = { jobId: null, jobStatus: null, jobVersion: 0, appliedHash: null, generation: null };

/**
 * budusecases over the pure deployment logic: the stored rows (what survives a crash), the API actions,
 * the job-event consumer, and the reconciler as a list of in-flight steps that anything may interleave with.
 * Each step does what the reconciler service does between two awaits.
 */
export class UsecasesModel {
  deployment: StoredDeployment | null;
  private inFlight: Step[] = [];
  private woken = true;
  private settledNow = false;

  constructor(
    private readonly cluster: BudclusterModel,
    onFailure: FailurePolicy,
  ) {
    const component = (id: string, dependsOn: string[] = []): StoredComponent => ({
      id,
      dependsOn,
      status: 'pending',
      jobId: null,
      jobStatus: null,
      jobVersion: 0,
      revision: 0,
      desiredHash: 0,
      appliedHash: null,
      generation: null,
      removed: false,
    });
    this.deployment = {
      desired: 'running',
      status: 'pending',
      onFailure,
      run: 1,
      components: [component('db'), component('embed'), component('llm'), component('orch', ['db', 'embed', 'llm'])],
    };
  }

  // ---- API (each one transaction under the deployment's row lock) ----

  stop(): Verdict | null {
    return this.changeDesired('stopped', stopVerdict);
  }

  delete(): Verdict | null {
    return this.changeDesired('deleted', deleteVerdict);
  }

  start(): Verdict | null {
    const d = this.deployment;
    if (!d) return null;
    const verdict = startVerdict({ desired: d.desired, status: d.status });
    if (verdict.kind !== 'change') return verdict;
    Object.assign(d, { desired: 'running', run: d.run + 1, status: 'pending' });
    for (const c of d.components) {
      if (c.status === 'skipped') continue;
      Object.assign(c, c.removed ? { status: 'skipped', ...noJob } : { status: 'pending', ...noJob });
    }
    this.woken = true;
    return verdict;
  }

  update(pick: number): void {
    const d = this.deployment;
    if (!d || d.desired !== 'running' || !UPDATABLE.includes(d.status)) return;
    // Every (n+1)-th pick drops the leaf `orch`, or adds it back once dropped: what a condition turning false or true does.
    if (pick % (d.components.length + 1) === d.components.length) {
      const orch = d.components.find((x) => x.id === 'orch')!;
      if (!orch.removed && orch.status !== 'skipped') orch.removed = true;
      else if (orch.status === 'skipped') Object.assign(orch, { ...noJob, status: 'pending', removed: false });
      this.woken = true;
      return;
    }
    // docs/design.md#deployment-update: the component's planned job changes; the reconciler patches it in place. A failed
    // component's job runs nothing: it starts afresh under a new revision (as DeploymentUpdater does).
    const c = d.components[pick % d.components.length];
    if (c.removed || c.status === 'skipped') return;
    c.desiredHash++;
    if (c.status === 'failed') Object.assign(c, { ...noJob, revision: c.revision + 1, status: 'pending' });
    this.woken = true;
  }

  retry(pick: number): void {
    const d = this.deployment;
    if (!d) return;
    const c = d.components[pick % d.components.length];
    if (c.status !== 'failed' || d.desired !== 'running') return;
    const run = d.run;
    const retried = c.jobId ? this.cluster.retry(c.jobId) : null;
    if (c.jobId && !retried) return;
    const next = retried
      ? foldJobEvent(
          c,
          { jobId: retried.id, version: retried.version, status: retried.status, run, revision: c.revision },
          { run: d.run, desired: d.desired },
        )
      : { status: 'pending' as const };
    if (next) Object.assign(c, next);
    this.woken = true;
  }

  // ---- job events (at least once, any order) ----

  deliver(event: ModelJobEvent): void {
    const d = this.deployment;
    const c = d?.components.find((x) => x.id === event.componentId);
    if (!d || !c) return;
    const next = foldJobEvent(
      c,
      {
        jobId: event.jobId,
        version: event.version,
        status: event.status,
        run: event.run,
        revision: event.revision,
        rollout: event.rollout,
      },
      { run: d.run, desired: d.desired },
    );
    if (!next) return;
    Object.assign(c, next);
    this.woken = true;
  }

  // ---- reconciler ----

  /** The periodic tick's query: deployments whose actual state may differ from the desired one. */
  unsettled(): boolean {
    const d = this.deployment;
    if (!d) return false;
    return (
      d.desired === 'deleted' ||
      (d.desired === 'stopped' && d.status !== 'stopped') ||
      (d.desired === 'running' && ['pending', 'deploying', 'updating', 'degraded'].includes(d.status)) ||
      (d.desired === 'running' && d.status === 'failed' && d.onFailure === 'rollback')
    );
  }

  get busy(): boolean {
    return this.inFlight.length > 0;
  }

  /** Loses everything in memory, as a SIGKILL would; the stored rows and budcluster's jobs stay. */
  crash(): void {
    this.inFlight = [];
    this.settledNow = false;
    this.woken = true;
  }

  /** Advances one in-flight step, or, when idle and woken (or the tick finds it unsettled), starts a round. */
  reconcileStep(pick: number, viaTick: boolean): boolean {
    if (this.inFlight.length > 0) {
      const index = pick % this.inFlight.length;
      const next = this.inFlight[index]();
      if (next) this.inFlight[index] = next;
      else this.inFlight.splice(index, 1);
      return true;
    }
    if (!this.woken && !(viaTick && this.unsettled())) return false;
    this.woken = false;
    this.round();
    return true;
  }

  private round(): void {
    const d = this.deployment;
    if (!d) return;
    const state = {
      desired: d.desired,
      status: d.status,
      onFailure: d.onFailure,
      components: d.components.map((c) => ({
        ...c,
        updateDue:
          d.desired === 'running' &&
          c.jobId !== null &&
          (c.status === 'running' || c.status === 'updating') &&
          c.desiredHash !== c.appliedHash,
      })),
    };
    const status = aggregateStatus(state);
    if (status !== d.status) {
      d.status = status;
      this.settledNow = status === 'running' || status === 'failed';
    }
    const actions = planActions(state);
    if (actions.length === 0) {
      if (d.desired === 'stopped' || this.settledNow) this.cancelStrays(d);
      this.settledNow = false;
      return;
    }
    const planned = { run: d.run, desired: d.desired };
    const snapshot = new Map(d.components.map((c) => [c.id, { ...c }]));
    this.inFlight = actions.map((action) => this.perform(planned, snapshot, action));
    // The next round follows this one: the service loops until the plan is empty.
    this.woken = true;
  }

  private perform(planned: { run: number; desired: DesiredState }, snapshot: Map<string, StoredComponent>, action: Action): Step {
    if (action.kind === 'delete_record') {
      return () => {
        // The model holds one deployment: every job budcluster has is one of its runs'.
        const leftovers = this.cluster.list();
        for (const job of leftovers) this.cluster.cancelOrDelete(job.id);
        if (leftovers.length === 0 && this.stillPlanned(planned)) this.deployment = null;
        return null;
      };
    }
    const component = snapshot.get(action.componentId)!;
    switch (action.kind) {
      case 'create_job':
        return () => {
          const key = `${component.id}-run${planned.run}-rev${component.revision}`;
          const job = this.cluster.create(key, component.id, planned.run, component.revision, component.desiredHash);
          return () => {
            const applied = { appliedHash: component.desiredHash, generation: job.generation };
            if (this.recordJob(planned, component, job, applied) === 'stray' && isActive(job.status))
              return () => (this.cluster.cancelOrDelete(job.id), null);
            return null;
          };
        };
      case 'update_job':
        return () => {
          const job = this.cluster.patch(component.jobId!, component.desiredHash);
          return () => {
            if (job === 'conflict') return null;
            if (!job) return (this.recordJobGone(planned, component), null);
            const current = this.current(component.id);
            const rollingOut = job.observedGeneration < job.generation;
            this.recordJob(planned, component, job, {
              appliedHash: component.desiredHash,
              generation: job.generation,
              ...(rollingOut && current?.status === 'running' ? { status: 'updating' as const } : {}),
            });
            return null;
          };
        };
      case 'remove_component':
        return () => {
          const answer = component.jobId ? this.cluster.cancelOrDelete(component.jobId) : null;
          if (answer?.result === 'cancelled') return null;
          return () => {
            const current = this.current(component.id);
            if (this.stillPlanned(planned) && current?.removed && current.jobId === component.jobId)
              Object.assign(current, { status: 'skipped', ...noJob });
            return null;
          };
        };
      case 'cancel_job':
        return () => {
          const seen = this.cluster.get(component.jobId!);
          const answer = seen && isActive(seen.status) ? this.cluster.cancelOrDelete(seen.id) : null;
          const job = answer?.result === 'cancelled' ? answer.job : seen;
          return () => {
            if (job) this.recordJob(planned, component, job);
            else this.recordJobGone(planned, component);
            return null;
          };
        };
      case 'delete_job':
        return () => {
          const { result } = this.cluster.cancelOrDelete(component.jobId!);
          return () => {
            const current = this.current(component.id);
            if (result !== 'cancelled' && this.stillPlanned(planned) && current)
              Object.assign(current, { status: 'deleting', jobId: null });
            return null;
          };
        };
      case 'mark_stopped':
        return () => {
          const current = this.current(component.id);
          if (this.stillPlanned(planned) && current) current.status = planned.desired === 'deleted' ? 'deleting' : 'stopped';
          return null;
        };
      default: {
        const unreachable: never = action;
        throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private recordJob(
    planned: { run: number },
    component: StoredComponent,
    job: ModelJob,
    recorded: Partial<StoredComponent> = {},
  ): 'recorded' | 'stray' {
    const d = this.deployment;
    const current = this.current(component.id);
    const view: JobEventView = {
      jobId: job.id,
      version: job.version,
      status: job.status,
      run: planned.run,
      revision: component.revision,
      rollout: { generation: job.generation, observed_generation: job.observedGeneration },
    };
    if (!d || !current || !jobBelongs(current, view, d)) return 'stray';
    const next = foldJobEvent({ ...current, ...recorded }, view, { run: d.run, desired: d.desired });
    Object.assign(current, recorded, next ?? {});
    return 'recorded';
  }

  private recordJobGone(planned: { run: number }, component: StoredComponent): void {
    const d = this.deployment;
    const current = this.current(component.id);
    if (!d || !current || d.run !== planned.run || current.jobId !== component.jobId) return;
    Object.assign(current, { status: componentStatusFromJob('cancelled', d.desired, current.status), jobStatus: 'cancelled' });
  }

  private cancelStrays(d: StoredDeployment): void {
    const recorded = new Set(d.desired === 'stopped' ? [] : d.components.map((c) => c.jobId));
    for (const job of this.cluster.list()) if (isActive(job.status) && !recorded.has(job.id)) this.cluster.cancelOrDelete(job.id);
  }

  private changeDesired(desired: DesiredState, verdictOf: typeof stopVerdict): Verdict | null {
    const d = this.deployment;
    if (!d) return null;
    const verdict = verdictOf({ desired: d.desired, status: d.status });
    if (verdict.kind === 'change') d.desired = desired;
    this.woken = true;
    return verdict;
  }

  private stillPlanned(planned: { run: number; desired: DesiredState }): boolean {
    return this.deployment !== null && this.deployment.run === planned.run && this.deployment.desired === planned.desired;
  }

  private current(componentId: string): StoredComponent | undefined {
    return this.deployment?.components.find((c) => c.id === componentId);
  }
}
