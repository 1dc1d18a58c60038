import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { requireScope } from '@bud/auth';
import type { Page, PaginationQuery, QuotaRequest, QuotaResponse } from '@bud/contracts';
import { AppError, formatPath } from '@bud/errors';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { GPU_HOLDING_STATUSES, GPU_WAITING_STATUSES } from '../domain/schedule';
import { DriverRegistry } from '../drivers/driver-registry.service';
import type { ClusterEntity, ClusterQuotaEntity } from '../entities';
import { ClusterRepository } from '../repositories/cluster.repository';
import { QuotaRepository } from '../repositories/quota.repository';
import type { QuotaUseRow } from '../repositories/quota.repository';
import { toQuotaResponse, toTenantQuota } from './quota.mapper';
import { quotaUsage } from './quota-usage';
import { BUILT_IN_DEFAULT_QUOTA } from '../domain/quota-model';

/** A tenant id from the path, or `default` for the cluster's default quota (null). */
export type QuotaTenant = string | null;

/**
 * docs/design.md#quotas: GPU quotas per tenant and cluster. Admins (platform:admin) set, read and delete any; a tenant
 * reads only its own effective quota (its row, else the cluster's default, else the built-in one) with its usage.
 * Every change is handed to the cluster owner's driver; a quota below current usage evicts nothing by itself.
 */
@Injectable()
export class QuotaService {
  private readonly logger = new Logger('quotas');

  constructor(
    private readonly quotas: QuotaRepository,
    private readonly clusters: ClusterRepository,
    private readonly drivers: DriverRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Admin: the default, then every tenant with a quota or work on the cluster; a tenant: its own effective quota. */
  async list(principal: Principal, clusterId: string, query: PaginationQuery): Promise<Page<QuotaResponse>> {
    const cluster = await this.visibleCluster(principal, clusterId);
    const items = isAdmin(principal) ? await this.everyQuota(cluster) : [await this.effective(cluster, principal.tenantId)];
    const start = (query.page - 1) * query.page_size;
    return { items: items.slice(start, start + query.page_size), total: items.length, page: query.page, page_size: query.page_size };
  }

  /** One tenant's effective quota (or the default); another tenant's is a 404 to a non-admin. */
  async get(principal: Principal, clusterId: string, tenant: QuotaTenant): Promise<QuotaResponse> {
    const cluster = await this.visibleCluster(principal, clusterId);
    if (tenant === null) return this.defaultOf(cluster);
    if (!isAdmin(principal) && tenant !== principal.tenantId) throw AppError.notFound('quota', tenant);
    return this.effective(cluster, tenant);
  }

  async set(principal: Principal, clusterId: string, tenant: QuotaTenant, request: QuotaRequest): Promise<QuotaResponse> {
    requireScope(principal, 'platform:admin');
    const cluster = await this.visibleCluster(principal, clusterId);
    checkProducts(cluster, request);
    const now = new Date(this.clock.now());
    const row = await this.quotas.upsert({
      id: randomUUID(),
      clusterId: cluster.id,
      tenantId: tenant,
      gpus: Object.fromEntries(
        Object.entries(request.gpus).map(([product, quota]) => [
          product,
          { nominal: quota.nominal, borrowing_limit: quota.borrowing_limit },
        ]),
      ),
      cpu: request.cpu ? { nominal: request.cpu.nominal, borrowing_limit: request.cpu.borrowing_limit } : null,
      memory: request.memory ? { nominal: request.memory.nominal, borrowing_limit: request.memory.borrowing_limit } : null,
      weight: request.weight,
      cohort: request.cohort,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    this.logger.info('quota set', { cluster_id: cluster.id, tenant_id: tenant ?? 'default', version: row.version });
    await this.handToDriver(cluster.id);
    if (tenant === null) return toQuotaResponse(cluster.id, null, row, null);
    return toQuotaResponse(cluster.id, tenant, row, quotaUsage(toTenantQuota(row), await this.useOf(cluster.id, tenant)));
  }

  /** Back to the default: the tenant's row goes (for `default`, the built-in default applies); idempotent. */
  async delete(principal: Principal, clusterId: string, tenant: QuotaTenant): Promise<void> {
    requireScope(principal, 'platform:admin');
    const cluster = await this.visibleCluster(principal, clusterId);
    if (!(await this.quotas.delete(cluster.id, tenant))) return;
    this.logger.info('quota deleted', { cluster_id: cluster.id, tenant_id: tenant ?? 'default' });
    await this.handToDriver(cluster.id);
  }

  private async visibleCluster(principal: Principal, clusterId: string): Promise<ClusterEntity> {
    const cluster = await this.clusters.findVisible(clusterId, principal.tenantId);
    if (!cluster) throw AppError.notFound('cluster', clusterId);
    return cluster;
  }

  /** The owner's driver admits under the new quotas now; on another replica the owner's next check does. */
  private async handToDriver(clusterId: string): Promise<void> {
    await this.drivers.quotasChanged(clusterId).catch((error: unknown) =>
      this.logger.warn('quotas not handed to the driver; the next check does', {
        cluster_id: clusterId,
        error: (error as Error).message,
      }),
    );
  }

  private async defaultOf(cluster: ClusterEntity): Promise<QuotaResponse> {
    return toQuotaResponse(cluster.id, null, await this.quotas.find(cluster.id, null), null);
  }

  private async effective(cluster: ClusterEntity, tenantId: string): Promise<QuotaResponse> {
    const [own, fallback, use] = await Promise.all([
      this.quotas.find(cluster.id, tenantId),
      this.quotas.find(cluster.id, null),
      this.useOf(cluster.id, tenantId),
    ]);
    const row = own ?? fallback;
    return toQuotaResponse(cluster.id, tenantId, row, quotaUsage(row ? toTenantQuota(row) : BUILT_IN_DEFAULT_QUOTA, use));
  }

  private async everyQuota(cluster: ClusterEntity): Promise<QuotaResponse[]> {
    const [rows, use] = await Promise.all([
      this.quotas.listOfCluster(cluster.id),
      this.quotas.useOnCluster(cluster.id, GPU_HOLDING_STATUSES, GPU_WAITING_STATUSES),
    ]);
    const fallback = rows.find((row) => row.tenantId === null) ?? null;
    const own = new Map(rows.filter((row) => row.tenantId !== null).map((row) => [row.tenantId as string, row]));
    const tenants = [...new Set([...own.keys(), ...use.map((row) => row.tenantId)])].sort();
    const items = [toQuotaResponse(cluster.id, null, fallback, null)];
    for (const tenantId of tenants) {
      const row: ClusterQuotaEntity | null = own.get(tenantId) ?? fallback;
      const quota = row ? toTenantQuota(row) : BUILT_IN_DEFAULT_QUOTA;
      items.push(
        toQuotaResponse(
          cluster.id,
          tenantId,
          row,
          quotaUsage(
            quota,
            use.filter((u) => u.tenantId === tenantId),
          ),
        ),
      );
    }
    return items;
  }

  private useOf(clusterId: string, tenantId: string): Promise<QuotaUseRow[]> {
    return this.quotas.useOnCluster(clusterId, GPU_HOLDING_STATUSES, GPU_WAITING_STATUSES, tenantId);
  }
}

function isAdmin(principal: Principal): boolean {
  return principal.scopes.has('platform:admin');
}

/**
 * A quota may name the GPU products the cluster has (its gpu_inventory) or prices (its price table's gpu_hour), so an
 * admin can set one before the nodes join; anything else is a typo: 422 at `gpus.<product>`.
 */
function checkProducts(cluster: ClusterEntity, request: QuotaRequest): void {
  const known = new Set([...Object.keys(cluster.gpuInventory), ...Object.keys(cluster.priceTable?.gpu_hour ?? {})]);
  const unknown = Object.keys(request.gpus).filter((product) => !known.has(product));
  if (unknown.length === 0) return;
  const message = `is not a GPU product of this cluster (known: ${[...known].sort().join(', ') || 'none'})`;
  const details = unknown.map((product) => ({ path: formatPath(['gpus', product]), message }));
  throw AppError.validation(`the quota is invalid: ${details[0]?.path} ${message}`, details);
}
