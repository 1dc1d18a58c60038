import type { JobStatus } from '@bud/contracts';
import type { Logger } from '@bud/logging';
import type { JobModel, ObservedStatus } from '../../domain/job-model';
import { isTerminal } from '../../domain/job-status-machine';
import { serviceOutputs } from '../../domain/manifests';
import { parseManagedObject, type ManagedObject } from './managed-object';
import { HELM_RELEASE, type ResourceKind } from './resource-kinds';
import { statusFromObject } from './status-from-objects';

export type DriverLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
export type WatchVerb = 'add' | 'update' | 'delete';
export type WatchOutcome =
  | { kind: 'reported'; observed: ObservedStatus }
  | { kind: 'unchanged' }
  | { kind: 'ignored'; why: string }
  | { kind: 'malformed'; problem: string };

export interface WatchEventDeps {
  clusterId: string;
  logger: DriverLogger;
  /** Jobs this driver placed or was told about; deletions of other jobs' objects are expected (cancel, orphan sweep). */
  lookupJob(jobId: string): JobModel | undefined;
  report(observed: ObservedStatus): void;
}

/** Turns informer callbacks into status reports. Never throws: one bad object must not stop a watch. */
export class WatchEventHandler {
  private readonly lastReported = new Map<string, { status: JobStatus; fingerprint: string }>();
  private readonly expectedDeletions = new Set<string>();

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
      this.deps.logger.debug('observed job status', {
        ...fields,
        job_id: outcome.observed.jobId,
        status: outcome.observed.status,
        reason: outcome.observed.reason,
        health: outcome.observed.health?.health,
        generation: outcome.observed.rollout?.generation,
      });
      this.report(outcome.observed);
    }
    return outcome;
  }

  /** An object of an earlier job that a new apply waits out (same name): its deletion is no drift. */
  expectDeletion(uid: string): void {
    this.expectedDeletions.add(uid);
  }

  /** Forget what was last reported, so the next observation is reported even if unchanged (re-apply, removal). */
  forget(jobId: string): void {
    this.lastReported.delete(jobId);
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
    return this.unlessUnchanged({ jobId: object.jobId, ...derived, ...(outputs ? { outputs } : {}) });
  }

  private deleted(object: ManagedObject, job: JobModel | undefined): WatchOutcome {
    if (object.uid !== undefined && this.expectedDeletions.delete(object.uid)) {
      return { kind: 'ignored', why: 'an earlier object of the same name went before its successor was applied' };
    }
    const last = this.lastReported.get(object.jobId);
    this.lastReported.delete(object.jobId);
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
