import type { ClusterIsolation, GpuInventory } from '@bud/contracts';

/** A namespace budcluster manages for one tenant, with the isolation rendered into it (docs/design.md#namespaces). */
export interface ManagedNamespace {
  name: string;
  tenantId: string;
  projectId: string | null;
  isolation: ClusterIsolation;
  /**
   * cluster_namespaces already records it for this tenant. Only then may a namespace that an earlier budcluster
   * made without a tenant label be taken as the tenant's; for a new claim it could be anyone's (or a forgery).
   */
  recorded?: boolean;
}

/** The cluster holds the namespace and budcluster may not use it for this tenant: it is unmanaged, or another tenant's. */
export class NamespaceRefusedError extends Error {
  constructor(
    readonly namespace: string,
    readonly reason: 'unmanaged' | 'other-tenant',
  ) {
    super(
      reason === 'unmanaged'
        ? `namespace '${namespace}' exists on the cluster and budcluster does not manage it`
        : `namespace '${namespace}' belongs to another tenant`,
    );
    this.name = 'NamespaceRefusedError';
  }
}

/** An object a job would write already exists without budcluster's ownership labels; apply never adopts it. */
export class ObjectInTheWayError extends Error {
  constructor(
    readonly kind: string,
    readonly namespace: string,
    readonly objectName: string,
    why: string,
  ) {
    super(`${kind} ${namespace}/${objectName} is in the way: ${why}; budcluster does not adopt objects it did not create`);
    this.name = 'ObjectInTheWayError';
  }
}

/** Whether the cluster's API server answers; `message` is the last error while it does not. */
export interface ClusterReachability {
  reachable: boolean;
  message: string | null;
}

/** What a driver learns about its cluster as a whole (docs/design.md#cluster-status). */
export interface ClusterEvents {
  /** Allocatable GPUs per product, each time the cluster's nodes change it. */
  inventory(inventory: GpuInventory): Promise<void>;
  reachability(reachability: ClusterReachability): Promise<void>;
}
