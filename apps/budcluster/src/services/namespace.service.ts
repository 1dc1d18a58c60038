import { Injectable } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { hasScope } from '@bud/auth';
import { defaultClusterIsolation } from '@bud/contracts';
import type { NamespaceResponse, Page, PaginationQuery } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { NamespaceRefusedError, ObjectInTheWayError } from '../domain/namespace-model';
import { DriverRegistry } from '../drivers/driver-registry.service';
import type { ClusterEntity } from '../entities';
import { ClusterRepository } from '../repositories/cluster.repository';
import { NamespaceRepository } from '../repositories/namespace.repository';
import { toManagedNamespace, toNamespaceResponse } from './namespace.mapper';

/** What a job asks for: a namespace of a cluster for its tenant (and project, labelled when the namespace is created). */
export interface NamespaceClaim {
  name: string;
  tenantId: string;
  projectId: string | null;
}

/**
 * docs/design.md#namespaces: the namespaces budcluster manages belong to tenants. A tenant's own namespace costs one
 * row read; a new one is created on the cluster (which arbitrates) and recorded; anything else is a 422 naming
 * `k8s_namespace`. Static refusals (system namespaces) come first, in domain/namespace-rules.ts, at the caller.
 */
@Injectable()
export class NamespaceService {
  private readonly logger = new Logger('namespaces');

  constructor(
    private readonly namespaces: NamespaceRepository,
    private readonly clusters: ClusterRepository,
    private readonly drivers: DriverRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    drivers.onIsolationChanged((cluster) => this.renderAgain(cluster));
  }

  /**
   * The tenant may place work in the namespace, claimed for it if nobody has it yet. The cluster is asked only for a
   * namespace without a row; a replica that does not own the cluster records the row and the owner's apply checks it.
   */
  async claim(cluster: ClusterEntity, claim: NamespaceClaim): Promise<void> {
    const existing = await this.namespaces.find(cluster.id, claim.name);
    if (existing) {
      if (existing.tenantId !== claim.tenantId) throw notYours();
      return;
    }
    const isolation = cluster.isolation ?? defaultClusterIsolation;
    try {
      await this.drivers.ensureNamespace(cluster, toManagedNamespace(claim, isolation));
    } catch (error) {
      const refusal = refusalOf(cluster, claim.name, error);
      if (refusal.code === 'upstream_unavailable')
        this.logger.warn('namespace claim failed', { cluster_id: cluster.id, namespace: claim.name, error: (error as Error).message });
      throw refusal;
    }
    const standing = await this.namespaces.claim({
      clusterId: cluster.id,
      name: claim.name,
      tenantId: claim.tenantId,
      projectId: claim.projectId,
      createdAt: new Date(this.clock.now()),
    });
    if (standing.tenantId !== claim.tenantId) throw notYours();
    this.logger.info('namespace claimed', { cluster_id: cluster.id, namespace: claim.name, tenant_id: claim.tenantId });
  }

  /** The caller's tenant's namespaces on a cluster it sees, by name, with what is rendered into each. */
  async list(principal: Principal, clusterId: string, query: PaginationQuery): Promise<Page<NamespaceResponse>> {
    if (!hasScope(principal, 'job:view') && !hasScope(principal, 'usecase:view'))
      throw new AppError('forbidden', "this action needs the scope 'job:view' or 'usecase:view'");
    const cluster = await this.clusters.findVisible(clusterId, principal.tenantId);
    if (!cluster) throw AppError.notFound('cluster', clusterId);
    const isolation = cluster.isolation ?? defaultClusterIsolation;
    const { items, total } = await this.namespaces.listOfTenant(cluster.id, principal.tenantId, query.page, query.page_size);
    return { items: items.map((row) => toNamespaceResponse(row, isolation)), total, page: query.page, page_size: query.page_size };
  }

  /**
   * The cluster's isolation changed: every managed namespace is rendered again by the owner's driver, one after the
   * other. Failures are logged; the namespace keeps its previous objects until the next change or apply.
   */
  async renderAgain(cluster: ClusterEntity): Promise<void> {
    const isolation = cluster.isolation ?? defaultClusterIsolation;
    let rendered = 0;
    const rows = await this.namespaces.listOfCluster(cluster.id).catch((error: unknown) => {
      this.logger.warn('namespaces not rendered again', { cluster_id: cluster.id, error: (error as Error).message });
      return [];
    });
    for (const row of rows) {
      try {
        if (await this.drivers.ensureNamespace(cluster, { ...toManagedNamespace(row, isolation), recorded: true })) rendered++;
      } catch (error) {
        this.logger.warn('namespace not rendered again', { cluster_id: cluster.id, namespace: row.name, error: (error as Error).message });
      }
    }
    this.logger.info('namespaces rendered again', { cluster_id: cluster.id, rendered });
  }

  /** The namespace was deleted on the cluster: nobody owns it any more. */
  async forget(cluster: ClusterEntity, name: string): Promise<void> {
    await this.namespaces.delete(cluster.id, name);
  }
}

function notYours(): AppError {
  const message = 'is not a namespace of your tenant';
  return AppError.validation(`k8s_namespace ${message}`, [{ path: 'k8s_namespace', message }]);
}

/** The cluster refused the namespace (422), something unowned sits in it (409), or the cluster did not answer (503). */
function refusalOf(cluster: ClusterEntity, name: string, error: unknown): AppError {
  if (error instanceof NamespaceRefusedError) {
    if (error.reason === 'other-tenant') return notYours();
    const message = `exists on cluster '${cluster.name}' and budcluster does not manage it`;
    return AppError.validation(`k8s_namespace ${message}`, [{ path: 'k8s_namespace', message }]);
  }
  if (error instanceof ObjectInTheWayError) return AppError.conflict(`k8s_namespace '${name}': ${error.message}`);
  // The API server's answer (status, body, headers) is logged by the caller, never handed to a tenant.
  return new AppError('upstream_unavailable', `cluster '${cluster.name}' could not create namespace '${name}'; retry later`);
}
