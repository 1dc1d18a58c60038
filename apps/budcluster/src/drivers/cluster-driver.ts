import type { JobModel, ObservedStatus } from '../domain/job-model';

export type StatusSink = (observed: ObservedStatus) => Promise<void>;

/** Places jobs on one cluster and reports what it observes; one implementation per cluster type (docs/design.md#drivers). */
export interface ClusterDriver {
  /** Starts watching; observed status changes flow to the sink. */
  start(sink: StatusSink): Promise<void>;
  stop(): Promise<void>;
  /** Creates or updates the job's objects on the cluster (idempotent). */
  apply(job: JobModel): Promise<void>;
  /** Deletes the job's objects; resolves once deletion is requested. */
  remove(job: JobModel): Promise<void>;
  /** Repairs drift against the given active jobs: missing objects → failed (ResourceMissing), orphans → deleted. */
  reconcile(activeJobs: JobModel[]): Promise<void>;
  /** API calls made so far (for the `k8s.api_calls_per_job` bench). */
  readonly apiCalls: number;
}
