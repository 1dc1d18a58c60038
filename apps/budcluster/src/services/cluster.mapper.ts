import { defaultClusterIsolation } from '@bud/contracts';
import type { ClusterResponse } from '@bud/contracts';
import type { ClusterEntity } from '../entities';

export function toClusterResponse(cluster: ClusterEntity): ClusterResponse {
  return {
    id: cluster.id,
    name: cluster.name,
    type: cluster.type,
    simulated: cluster.type === 'simulated',
    tenant_id: cluster.tenantId,
    status: cluster.status,
    status_message: cluster.statusMessage,
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
