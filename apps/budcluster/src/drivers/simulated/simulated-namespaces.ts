import { defaultClusterIsolation } from '@bud/contracts';
import type { ClusterIsolation } from '@bud/contracts';
import { renderNamespace } from '../../domain/manifests/namespace';
import type { NamespaceObject } from '../../domain/manifests/namespace';
import type { ManagedNamespace } from '../../domain/namespace-model';
import { NamespaceRefusedError } from '../../domain/namespace-model';

/** Namespaces every Kubernetes cluster has and budcluster did not create. */
const CLUSTER_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** A namespace the simulated cluster holds: its owner (null: not budcluster's) and the objects applied into it. */
export interface SimulatedNamespace {
  tenantId: string | null;
  objects: NamespaceObject[];
}

/**
 * The namespaces of a simulated cluster (docs/design.md#namespaces), kept as the kubernetes driver applies them: the
 * rendered Namespace, NetworkPolicy and LimitRange of a managed namespace, replaced on every ensure of its tenant;
 * another tenant's or an unmanaged one is refused.
 */
export class SimulatedNamespaces {
  private readonly held = new Map<string, SimulatedNamespace>(
    CLUSTER_NAMESPACES.map((name) => [
      name,
      { tenantId: null, objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: {} } }] },
    ]),
  );
  /** ensure() calls so far: the cluster round trips a real cluster would see. */
  ensureCalls = 0;

  constructor(private isolation: ClusterIsolation = defaultClusterIsolation) {}

  ensure(namespace: ManagedNamespace): void {
    this.ensureCalls++;
    this.isolation = namespace.isolation;
    const current = this.held.get(namespace.name);
    if (current && current.tenantId === null) throw new NamespaceRefusedError(namespace.name, 'unmanaged');
    if (current && current.tenantId !== namespace.tenantId) throw new NamespaceRefusedError(namespace.name, 'other-tenant');
    this.held.set(namespace.name, { tenantId: namespace.tenantId, objects: renderNamespace(namespace) });
  }

  /**
   * A job's apply, as on Kubernetes: its namespace must be its tenant's, and is created (with the isolation last
   * known) if the cluster does not hold it, e.g. after a restart or when another replica recorded it.
   */
  ensureForJob(job: { namespace: string; tenantId: string; projectId: string | null }): void {
    const current = this.held.get(job.namespace);
    if (current?.tenantId === job.tenantId) return;
    this.ensure({ name: job.namespace, tenantId: job.tenantId, projectId: job.projectId, isolation: this.isolation });
  }

  get(name: string): SimulatedNamespace | undefined {
    return this.held.get(name);
  }

  /** Only namespaces budcluster manages are deleted; the cluster's own stay. */
  delete(name: string): boolean {
    if (this.held.get(name)?.tenantId === null) return false;
    return this.held.delete(name);
  }
}
