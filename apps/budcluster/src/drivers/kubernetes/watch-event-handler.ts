import type { JobStatus } from '@bud/contracts';
import type { Logger } from '@bud/logging';
import type { JobModel, ObservedStatus } from '../../domain/job-model';
import { isTerminal } from '../../domain/job-status-machine';
import { serviceOutputs } from '../../domain/manifests';
import { statusUnderKueue } from './kueue-status';
import { type QueueBook, WORKLOAD, workloadState } from './kueue-workloads';
import { isRecord, parseManagedObject, type ManagedObject } from './managed-object';
import { HELM_RELEASE, type ResourceKind } from './resource-kinds';
import { statusFromObject } from './status-from-objects';

export type DriverLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
export type WatchVerb = 'add' | 'update' | 'delete';
export type WatchOutcome =
  /** `all`: every status reported in order when there are several (preempted, then queued); `observed` is the last. */
  | { kind: 'reported'; observed: ObservedStatus; all?: ObservedStatus[] }
  | { kind: 'unchanged' }
  | { kind: 'ignored'; why: string }
  | { kind: 'malformed'; problem: string };

export interface WatchEventDeps {
  clusterId: string;
  logger: DriverLogger;
  /** Jobs this driver placed or was told about; deletions of other jobs' objects are expected (cancel, orphan sweep). */
  lookupJob(jobId: string): JobModel | undefined;
  report(observed: ObservedStatus): void;
  /** The cluster's Kueue Workloads (docs/design.md#quotas): a job's status then combines its object and its Workloads. */
  queueBook?: QueueBook;
  /** Whether the cluster runs Kueue (known once asked): only then does a job wait for its Workloads' word. */
  kueueActive?: () => boolean;
}

/** Turns informer callbacks into status reports. Never throws: one bad object must not stop a watch. */
export class WatchEventHandler {
  private readonly lastReported = new Map<string, { status: JobStatus; fingerprint: string }>();
  private readonly expectedDeletions = new Set<string>();
  /** What each job's primary object said last (under Kueue it is combined with the job's Workloads). */
  private readonly fromObject = new Map<string, Omit<ObservedStatus, 'jobId'>>();

  constructor(private readonly deps: WatchEventDeps) {}

  handle(verb: WatchVerb, resource: ResourceKind, raw: unknown): WatchOutcome {
    const fields = { cluster_id: this.deps.clusterId, kind: resource.kind, verb };
    let outcome: WatchOutcome;
    try {
      outcome = this.classify(verb, resource, raw);
    } catch (err) {
      this.deps.logger.error('watch event handling failed; skipping it', { ...fields, error: String(err) });
      return { kind: 'ignored', why: 'handler error' };
    }
    if (outcome.kind === 'malformed') {
      this.deps.logger.warn('skipping malformed object from watch', { ...fields, problem: outcome.problem });
    } else if (outcome.kind === 'reported') {
      for (const observed of outcome.all ?? [outcome.observed]) {
        this.deps.logger.debug('observed job status', {
          ...fields,
          job_id: observed.jobId,
          status: observed.status,
          reason: observed.reason,
          health: observed.health?.health,
          generation: observed.rollout?.generation,
          queue_position: observed.queuePosition,
        });
        this.report(observed);
      }
    }
    return outcome;
  }

  /**
   * A Kueue Workload changed: the job's status is combined again, and so are the queue positions of the other jobs
   * of its tenant. Never throws.
   */
  handleWorkload(verb: WatchVerb, raw: unknown): void {
    const book = this.deps.queueBook;
    if (!book) return;
    try {
      const parsed = parseManagedObject(raw, WORKLOAD);
      if (!parsed.ok) {
        this.deps.logger.warn('skipping malformed Workload from watch', { cluster_id: this.deps.clusterId, problem: parsed.problem });
        return;
      }
      const meta = isRecord(raw) && isRecord(raw.metadata) ? raw.metadata : {};
      const labels = isRecord(meta.labels) ? (meta.labels as Record<string, string>) : {};
      const state = workloadState(parsed.object, labels);
      const tenant = verb === 'delete' ? book.remove(state) : book.upsert(state);
      const jobs = new Set([state.jobId, ...book.jobsOfTenant(tenant)]);
      for (const jobId of jobs) this.refresh(jobId);
    } catch (err) {
      this.deps.logger.error('Workload event handling failed; skipping it', { cluster_id: this.deps.clusterId, error: String(err) });
    }
  }

  private kueueActive(): boolean {
    return this.deps.kueueActive?.() ?? false;
  }

  /** Combines the job's last object status with its Workloads and reports what changed. */
  private refresh(jobId: string): void {
    const book = this.deps.queueBook;
    if (!book) return;
    const job = this.deps.lookupJob(jobId);
    if (job?.spec.kind === 'helm') return;
    const last = this.lastReported.get(jobId)?.status;
    if (last && isTerminal(last)) return;
    for (const observed of statusUnderKueue(jobId, this.fromObject.get(jobId), book.summary(jobId), last, this.kueueActive())) {
      const outcome = this.unlessUnchanged(observed);
      if (outcome.kind === 'reported') this.report(outcome.observed);
    }
  }

  /** An object of an earlier job that a new apply waits out (same name): its deletion is no drift. */
  expectDeletion(uid: string): void {
    this.expectedDeletions.add(uid);
  }

  /** Forget what was last reported, so the next observation is reported even if unchanged (re-apply, removal). */
  forget(jobId: string): void {
    this.lastReported.delete(jobId);
    this.fromObject.delete(jobId);
  }

  private classify(verb: WatchVerb, resource: ResourceKind, raw: unknown): WatchOutcome {
    const parsed = parseManagedObject(raw, resource);
    if (!parsed.ok) return { kind: 'malformed', problem: parsed.problem };
    const object = parsed.object;
    if (!resource.primary || object.chartOwned) return { kind: 'ignored', why: 'object carries no job status' };
    const job = this.deps.lookupJob(object.jobId);
    if (job?.spec.kind === 'helm' && resource !== HELM_RELEASE)
      return { kind: 'ignored', why: 'helm jobs report through their HelmRelease' };
    if (verb === 'delete') return this.deleted(object, job);
    if (object.terminating) return { kind: 'ignored', why: 'object is being deleted' };
    const wasRunning = this.lastReported.get(object.jobId)?.status === 'running' || job?.status === 'running';
    const derived = statusFromObject(object, { wasRunning });
    if (!derived) return { kind: 'ignored', why: 'object carries no job status' };
    const outputs = derived.status === 'running' && job?.jobType === 'service' ? serviceOutputs(job) : undefined;
    const observed = { ...derived, ...(outputs ? { outputs } : {}) };
    const book = this.deps.queueBook;
    if (!book || job?.spec.kind === 'helm') return this.unlessUnchanged({ jobId: object.jobId, ...observed });
    this.fromObject.set(object.jobId, observed);
    const last = this.lastReported.get(object.jobId)?.status;
    const reported: ObservedStatus[] = [];
    for (const next of statusUnderKueue(object.jobId, observed, book.summary(object.jobId), last, this.kueueActive())) {
      const outcome = this.unlessUnchanged(next);
      if (outcome.kind === 'reported') reported.push(outcome.observed);
    }
    const final = reported[reported.length - 1];
    return final ? { kind: 'reported', observed: final, all: reported } : { kind: 'unchanged' };
  }

  private deleted(object: ManagedObject, job: JobModel | undefined): WatchOutcome {
    if (object.uid !== undefined && this.expectedDeletions.delete(object.uid)) {
      return { kind: 'ignored', why: 'an earlier object of the same name went before its successor was applied' };
    }
    const last = this.lastReported.get(object.jobId);
    this.lastReported.delete(object.jobId);
    this.fromObject.delete(object.jobId);
    if (!job) return { kind: 'ignored', why: 'deleted object of a job this driver does not track' };
    // Finished Jobs may be garbage-collected by their TTL; that is not a failure.
    if (last && isTerminal(last.status)) return { kind: 'ignored', why: 'job already finished' };
    const message = `${object.kind.kind} ${object.namespace}/${object.name} was deleted outside budcluster`;
    return this.unlessUnchanged({ jobId: object.jobId, status: 'failed', reason: 'ResourceMissing', message });
  }

  private unlessUnchanged(observed: ObservedStatus): WatchOutcome {
    // The status message churns with replica counts and is left out; health and rollout changes are reported even
    // when the status stays (docs/design.md#job-health), their counts included.
    const { health, rollout } = observed;
    const fingerprint = JSON.stringify([
      observed.status,
      observed.reason,
      observed.outputs ? 'outputs' : '',
      health ? [health.health, health.reason, health.message ?? ''] : null,
      rollout ? [rollout.generation, rollout.complete, rollout.replicas, rollout.readyReplicas, rollout.updatedReplicas] : null,
      // docs/design.md#quotas: a queue position moving, a flavor or a Workload name is news even in the same status.
      observed.queuePosition ?? null,
      observed.admittedFlavor ?? null,
      observed.workloadName ?? null,
    ]);
    if (this.lastReported.get(observed.jobId)?.fingerprint === fingerprint) return { kind: 'unchanged' };
    this.lastReported.set(observed.jobId, { status: observed.status, fingerprint });
    return { kind: 'reported', observed };
  }

  private report(observed: ObservedStatus): void {
    try {
      this.deps.report(observed);
    } catch (err) {
      this.deps.logger.error('status report failed', { cluster_id: this.deps.clusterId, job_id: observed.jobId, error: String(err) });
    }
  }
}
