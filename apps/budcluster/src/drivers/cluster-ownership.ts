/** Work on a cluster that reached a replica which does not own it, for the owner to do. */
export interface ClusterWork {
  clusterId: string;
  jobId: string;
  action: 'apply' | 'remove';
}

/**
 * Which clusters this replica owns. Only the owner of a cluster runs its driver (informers, applies,
 * resyncs, orphan sweeps), so replicas never fight over one cluster's objects.
 */
export interface ClusterOwnership {
  /** Takes the cluster if nobody owns it; true when this replica owns it afterwards. */
  acquire(clusterId: string): Promise<boolean>;
  release(clusterId: string): Promise<void>;
  /** Proves the lock session alive; when it is not, every owned cluster is lost and `onLost` listeners hear it. */
  heartbeat(): Promise<void>;
  onLost(listener: () => void): void;
  /** Passes work to the cluster's owner; delivery is best effort, the owner's pending sweep is the net. */
  handOver(work: ClusterWork): Promise<void>;
  onWork(listener: (work: ClusterWork) => void): void;
  close(): Promise<void>;
}

/** The embedded, single-process mode: this process owns every cluster. */
export class SoleOwnership implements ClusterOwnership {
  private listener: (work: ClusterWork) => void = () => undefined;

  async acquire(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}

  async heartbeat(): Promise<void> {}

  onLost(): void {}

  async handOver(work: ClusterWork): Promise<void> {
    this.listener(work);
  }

  onWork(listener: (work: ClusterWork) => void): void {
    this.listener = listener;
  }

  async close(): Promise<void> {}
}
