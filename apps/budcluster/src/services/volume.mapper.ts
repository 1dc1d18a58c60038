import type { PriceTable, VolumeResponse } from '@bud/contracts';
import { formatUsd } from '@bud/workloads';
import { exactQuantity } from '@bud/workloads';
import { monthlyStorageMicros } from '../domain/volume-cost';
import type { VolumeEntity } from '../entities';

export function toVolumeResponse(volume: VolumeEntity, prices: PriceTable, nowMs: number): VolumeResponse {
  const price = BigInt(Math.round(prices.storage_gib_month * 1_000_000));
  return {
    id: volume.id,
    cluster_id: volume.clusterId,
    tenant_id: volume.tenantId,
    namespace: volume.namespace,
    claim_name: volume.claimName,
    volume_name: volume.volumeName,
    job_name: volume.jobName,
    job_id: volume.jobId,
    usecase_deployment_id: volume.usecaseDeploymentId,
    component: volume.component,
    size: volume.size,
    status: volume.status,
    estimated_cost_per_month: formatUsd(Number(monthlyStorageMicros(exactQuantity(volume.size), price))),
    created_at: volume.createdAt.toISOString(),
    updated_at: volume.updatedAt.toISOString(),
    age_seconds: Math.max(0, Math.floor((nowMs - volume.createdAt.getTime()) / 1000)),
  };
}
