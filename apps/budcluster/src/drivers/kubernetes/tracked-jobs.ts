import type { JobModel } from '../../domain/job-model';

/**
 * The jobs a driver knows about: those it applied and those the last reconcile named. Status reports
 * use them for outputs, and a deleted object only counts as drift for a tracked job.
 */
export class TrackedJobs {
  private readonly jobs = new Map<string, { job: JobModel; appliedAt?: number }>();

  constructor(private readonly graceMs: number) {}

  get(jobId: string): JobModel | undefined {
    return this.jobs.get(jobId)?.job;
  }

  appliedAt(jobId: string): number | undefined {
    return this.jobs.get(jobId)?.appliedAt;
  }

  applied(job: JobModel, now: number): void {
    this.jobs.set(job.id, { job, appliedAt: now });
  }

  removed(jobId: string): void {
    this.jobs.delete(jobId);
  }

  /** After a reconcile: the given jobs are tracked; with a complete list, others go (unless applied within the grace period). */
  reconciled(activeJobs: readonly JobModel[], complete: boolean, now: number): void {
    const given = new Set(activeJobs.map((job) => job.id));
    if (complete) {
      for (const [id, entry] of this.jobs) {
        const fresh = entry.appliedAt !== undefined && now - entry.appliedAt < this.graceMs;
        if (!given.has(id) && !fresh) this.jobs.delete(id);
      }
    }
    for (const job of activeJobs) this.jobs.set(job.id, { job, appliedAt: this.jobs.get(job.id)?.appliedAt });
  }
}
