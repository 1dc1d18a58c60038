import type { JobModel } from '../../domain/job-model';
import { kueuePriorityClassName } from '../../domain/manifests';
import type { ManagedObject } from './managed-object';
import { HELM_RELEASE } from './resource-kinds';
import { type DerivedStatus, statusFromObject } from './status-from-objects';

export interface ReconcileInput {
  activeJobs: readonly JobModel[];
  /** Every labelled object of every managed kind on the cluster. */
  objects: readonly ManagedObject[];
  /** activeJobs is every active job of the cluster, so any other labelled object is an orphan. */
  allActiveJobs: boolean;
  now: number;
  /** Objects and applies younger than this are spared: their job row may postdate the caller's job query. */
  graceMs: number;
  appliedAt(jobId: string): number | undefined;
}

export interface ReconcilePlan {
  /** Pending jobs with nothing on the cluster: their apply was never made or was lost. */
  place: JobModel[];
  /** Jobs past pending whose status-bearing object is gone. */
  missing: JobModel[];
  /** Jobs whose object says something other than their row: a report was lost or never made. */
  stale: { job: JobModel; derived: DerivedStatus }[];
  orphans: ManagedObject[];
  /**
   * Jobs whose object carries another Kueue priority class than the job (its priority_class was changed): the label is
   * set again, and Kueue moves the Workload in its queue (docs/design.md#quotas).
   */
  reprioritize: { job: JobModel; object: ManagedObject }[];
}

/** Decides how to repair drift between the job rows and the cluster; pure, the driver carries it out. */
export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const plan: ReconcilePlan = { place: [], missing: [], stale: [], orphans: [], reprioritize: [] };
  const byJob = new Map<string, ManagedObject[]>();
  for (const object of input.objects) byJob.set(object.jobId, [...(byJob.get(object.jobId) ?? []), object]);
  const recent = (ms: number | undefined): boolean => ms !== undefined && input.now - ms < input.graceMs;

  for (const job of input.activeJobs) {
    const primary = (byJob.get(job.id) ?? []).find((object) => carriesStatus(object, job));
    if (!primary) {
      if (recent(input.appliedAt(job.id))) continue;
      if (job.status === 'pending') plan.place.push(job);
      else plan.missing.push(job);
      continue;
    }
    if (primary.kueuePriorityClass !== undefined && primary.kueuePriorityClass !== kueuePriorityClassName(job.priorityClass))
      plan.reprioritize.push({ job, object: primary });
    const derived = statusFromObject(primary, { wasRunning: job.status === 'running' });
    if (derived && derived.status !== job.status && !primary.terminating) plan.stale.push({ job, derived });
  }

  if (input.allActiveJobs) {
    const active = new Set(input.activeJobs.map((job) => job.id));
    for (const object of input.objects) {
      // Claims belong to the volumes table (docs/design.md#volumes), whatever job they were last attached to.
      if (active.has(object.jobId) || object.chartOwned || object.terminating || object.volumeClaim) continue;
      if (recent(object.createdAt) || recent(input.appliedAt(object.jobId))) continue;
      plan.orphans.push(object);
    }
  }
  return plan;
}

function carriesStatus(object: ManagedObject, job: JobModel): boolean {
  if (!object.kind.primary || object.chartOwned) return false;
  return job.spec.kind === 'helm' ? object.kind === HELM_RELEASE : object.kind !== HELM_RELEASE;
}
