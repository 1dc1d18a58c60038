import type { ClusterIsolation, NamespaceResponse } from '@bud/contracts';
import { renderNamespace } from '../domain/manifests/namespace';
import type { ManagedNamespace } from '../domain/namespace-model';
import type { ClusterNamespaceEntity } from '../entities';

/** The namespace as the cluster's driver renders it: the row's owner under the cluster's isolation. */
export function toManagedNamespace(
  row: Pick<ClusterNamespaceEntity, 'name' | 'tenantId' | 'projectId'>,
  isolation: ClusterIsolation,
): ManagedNamespace {
  return { name: row.name, tenantId: row.tenantId, projectId: row.projectId, isolation };
}

export function toNamespaceResponse(row: ClusterNamespaceEntity, isolation: ClusterIsolation): NamespaceResponse {
  const objects = renderNamespace(toManagedNamespace(row, isolation))
    .filter((object) => object.kind !== 'Namespace')
    .map((object) => ({ kind: object.kind, name: object.metadata.name }));
  return {
    cluster_id: row.clusterId,
    name: row.name,
    tenant_id: row.tenantId,
    project_id: row.projectId,
    objects,
    pod_security: { ...isolation.pod_security },
    created_at: row.createdAt.toISOString(),
  };
}
