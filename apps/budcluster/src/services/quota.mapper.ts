import { parseQuantity } from '@bud/contracts';
import type { QuotaResponse } from '@bud/contracts';
import { BUILT_IN_DEFAULT_QUOTA } from '../domain/quota-model';
import type { ClusterQuotas, ResourceQuota, TenantQuota } from '../domain/quota-model';
import type { ClusterQuotaEntity, StoredQuantityQuota } from '../entities/cluster-quota.entity';

function quantityQuota(stored: StoredQuantityQuota | null, scale: number): ResourceQuota | null {
  if (!stored) return null;
  const value = (quantity: string) => Math.round(parseQuantity(quantity) * scale);
  return { nominal: value(stored.nominal), borrowingLimit: stored.borrowing_limit === null ? null : value(stored.borrowing_limit) };
}

/** A stored quota as the plain values drivers admit by (CPU in millicores, memory in bytes). */
export function toTenantQuota(row: ClusterQuotaEntity): TenantQuota {
  return {
    tenantId: row.tenantId,
    gpus: Object.fromEntries(
      Object.entries(row.gpus).map(([product, quota]) => [product, { nominal: quota.nominal, borrowingLimit: quota.borrowing_limit }]),
    ),
    cpuMillis: quantityQuota(row.cpu, 1000),
    memoryBytes: quantityQuota(row.memory, 1),
    weight: Number(row.weight),
    cohort: row.cohort,
  };
}

/** A cluster's rows as the quotas its driver enforces: the default row, else the built-in default, and every tenant's. */
export function toClusterQuotas(rows: readonly ClusterQuotaEntity[]): ClusterQuotas {
  const defaultRow = rows.find((row) => row.tenantId === null);
  return {
    defaultQuota: defaultRow ? toTenantQuota(defaultRow) : BUILT_IN_DEFAULT_QUOTA,
    tenants: rows.filter((row) => row.tenantId !== null).map(toTenantQuota),
  };
}

/** The quota's values as the API shows them; `row` null is the built-in default. */
export function toQuotaResponse(
  clusterId: string,
  tenantId: string | null,
  row: ClusterQuotaEntity | null,
  usage: QuotaResponse['usage'],
): QuotaResponse {
  const source: QuotaResponse['source'] = row === null ? 'built-in' : row.tenantId === null ? 'default' : 'tenant';
  return {
    cluster_id: clusterId,
    tenant_id: tenantId,
    source,
    gpus: row ? row.gpus : {},
    cpu: row?.cpu ?? null,
    memory: row?.memory ?? null,
    weight: row ? Number(row.weight) : BUILT_IN_DEFAULT_QUOTA.weight,
    cohort: row ? row.cohort : BUILT_IN_DEFAULT_QUOTA.cohort,
    usage,
    updated_at: row ? row.updatedAt.toISOString() : null,
  };
}
