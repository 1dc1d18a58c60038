import type { JobModel, ObservedStatus, VolumeModel } from '../domain/job-model';
import type { ClusterEvents, ManagedNamespace } from '../domain/namespace-model';
import type { ClusterQuotas } from '../domain/quota-model';

export type StatusSink = (observed: ObservedStatus) => Promise<void>;

/** Places jobs on one cluster and reports what it observes; one implementation per cluster type (docs/design.md#drivers). */
export interface ClusterDriver {
  /** Starts watching; observed status changes flow to the sink, inventory and reachability to `events`. */
  start(sink: StatusSink, events?: ClusterEvents): Promise<void>;
  stop(): Promise<void>;
  /** Creates the job's objects, or updates them in place for a newer generation (idempotent). */
  apply(job: JobModel): Promise<void>;
  /** Deletes the job's objects but not its volumes; resolves once deletion is requested. */
  remove(job: JobModel): Promise<void>;
  /** Deletes a volume's claim (docs/design.md#volumes). */
  deleteVolume(volume: VolumeModel): Promise<void>;
  /**
   * Creates the namespace for its tenant with its isolation objects, or renders them again on one budcluster manages
   * for that tenant; throws NamespaceRefusedError for an unmanaged namespace or another tenant's (docs/design.md#namespaces).
   */
  ensureNamespace(namespace: ManagedNamespace): Promise<void>;
  /** Deletes a namespace budcluster created and no longer uses; leaves any other namespace alone. */
  deleteNamespace(namespace: string): Promise<void>;
  /** Repairs drift against the given active jobs: missing objects → failed (ResourceMissing), orphans → deleted. */
  reconcile(activeJobs: JobModel[]): Promise<void>;
  /**
   * The cluster's quotas changed, or the driver just started (docs/design.md#quotas): admits queued work under them from
   * now on. Called by DriverRegistry on the owner only; never evicts by itself (preemption rules do).
   */
  updateQuotas(quotas: ClusterQuotas): void;
  /** API calls made so far (for the `k8s.api_calls_per_job` bench). */
  readonly apiCalls: number;
}
