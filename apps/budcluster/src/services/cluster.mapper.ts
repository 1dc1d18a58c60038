import { defaultClusterIsolation } from '@bud/contracts';
import type { ClusterResponse } from '@bud/contracts';
import type { ClusterEntity } from '../entities';

/**
 * `detailed`: the viewer runs the cluster (its own tenant's, or any for platform:admin) and sees the API server's own
 * error text; other tenants of a shared cluster see only that it does not answer.
 */
export function toClusterResponse(cluster: ClusterEntity, detailed = true): ClusterResponse {
  return {
    id: cluster.id,
    name: cluster.name,
    type: cluster.type,
    simulated: cluster.type === 'simulated',
    tenant_id: cluster.tenantId,
    status: cluster.status,
    status_message: detailed || cluster.status !== 'unreachable' ? cluster.statusMessage : 'its API server does not answer',
    ingress_url: cluster.ingressUrl,
    gpu_inventory: cluster.gpuInventory,
    price_table: cluster.priceTable,
    settings: cluster.settings,
    isolation: cluster.isolation ?? defaultClusterIsolation,
    created_at: cluster.createdAt.toISOString(),
    updated_at: cluster.updatedAt.toISOString(),
    version: cluster.version,
  };
}
