/**
 * The quotas a cluster's driver enforces (docs/design.md#quotas), as plain values: no ORM, no quantity strings.
 * QuotaService builds them from `cluster_quotas`; DriverRegistry hands them to the cluster owner's driver.
 */

/** One resource's share: what the tenant holds, and how much more it may borrow from the cohort (null: all it lends). */
export interface ResourceQuota {
  nominal: number;
  borrowingLimit: number | null;
}

/** The effective quota of a tenant on a cluster (its row, else the cluster's default, else the built-in default). */
export interface TenantQuota {
  /** null for the cluster's default quota. */
  tenantId: string | null;
  /** Per GPU product (as in the cluster's gpu_inventory); a product absent here has nominal 0 and may borrow. */
  gpus: Record<string, ResourceQuota>;
  /** CPU in millicores; null: not limited (nominal = the pool's). */
  cpuMillis: ResourceQuota | null;
  /** Memory in bytes; null: not limited. */
  memoryBytes: ResourceQuota | null;
  /** Fair-sharing weight, > 0. */
  weight: number;
  /** Lends and borrows in the cluster's cohort. */
  cohort: boolean;
}

/** Everything a driver needs to admit work on one cluster. */
export interface ClusterQuotas {
  /** Applies to every tenant without a row in `tenants`. */
  defaultQuota: TenantQuota;
  /** Tenants with their own quota row. */
  tenants: TenantQuota[];
}

/** The default when an admin set none: nominal 0 for every product, so all GPU work borrows from the pool. */
export const BUILT_IN_DEFAULT_QUOTA: TenantQuota = Object.freeze({
  tenantId: null,
  gpus: Object.freeze({}),
  cpuMillis: null,
  memoryBytes: null,
  weight: 1,
  cohort: true,
});

/** Quotas of a cluster nobody configured. */
export const BUILT_IN_CLUSTER_QUOTAS: ClusterQuotas = Object.freeze({
  defaultQuota: BUILT_IN_DEFAULT_QUOTA,
  tenants: [],
});

/** The quota that applies to a tenant: its own, else the cluster's default. */
export function effectiveQuota(quotas: ClusterQuotas, tenantId: string): TenantQuota {
  return quotas.tenants.find((quota) => quota.tenantId === tenantId) ?? quotas.defaultQuota;
}

/** A GPU product's quota for a tenant: absent products have nominal 0 and may borrow all the cohort lends. */
export function gpuQuotaOf(quota: TenantQuota, product: string): ResourceQuota {
  return (Object.hasOwn(quota.gpus, product) ? quota.gpus[product] : undefined) ?? { nominal: 0, borrowingLimit: quota.cohort ? null : 0 };
}
