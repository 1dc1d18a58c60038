import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { requireScope } from '@bud/auth';
import type { CreatePriceBookEntryRequest, PriceBookEntry } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { priceCapIssue } from '../domain/price-book-cap';
import { ClusterRepository } from '../repositories/cluster.repository';
import { JobRepository } from '../repositories/job.repository';
import { MeterRepository } from '../repositories/meter.repository';
import { PriceBookRepository } from '../repositories/price-book.repository';
import type { PriceBookRecord } from '../repositories/price-book.repository';
import { ClusterService } from './cluster.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * docs/design.md#price-book: a cluster's prices with the times they take effect. A price applies from its effective
 * time, never backwards; clusters.price_table is the entry in effect now (the meter promotes entries as they fall due).
 */
@Injectable()
export class PriceBookService {
  constructor(
    private readonly book: PriceBookRepository,
    private readonly meter: MeterRepository,
    private readonly clusters: ClusterService,
    private readonly clusterRows: ClusterRepository,
    private readonly jobs: JobRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(principal: Principal, clusterId: string): Promise<PriceBookEntry[]> {
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    const entries = await this.book.list(cluster.id);
    const now = this.clock.now();
    const current = [...entries].reverse().find((entry) => entry.effectiveFrom.getTime() <= now) ?? null;
    return entries.map((entry) => toEntry(entry, entry === current));
  }

  /** platform:admin for a shared cluster, cluster:manage for a tenant's own (as PATCH). */
  async add(principal: Principal, clusterId: string, request: CreatePriceBookEntryRequest): Promise<PriceBookEntry> {
    const cluster = await this.clusters.visibleCluster(principal, clusterId);
    requireScope(principal, cluster.tenantId === null ? 'platform:admin' : 'cluster:manage');
    const now = new Date(this.clock.now());
    const effectiveFrom = request.effective_from ? new Date(request.effective_from) : now;
    if (effectiveFrom.getTime() < now.getTime()) {
      const message = `is ${effectiveFrom.toISOString()}, before now (${now.toISOString()}): a price never applies backwards`;
      throw AppError.validation(`effective_from ${message}`, [{ path: 'effective_from', message }]);
    }
    // Now or later, the table will price the cluster's active jobs: none may pass the per-job hourly bound.
    const capIssue = priceCapIssue(await this.jobs.activeOnCluster(cluster.id), request.price_table);
    if (capIssue) throw AppError.validation(`${capIssue.path} ${capIssue.message}`, [capIssue]);
    const entry = await this.book.transaction(async (tx) => {
      const existing = await this.book.lockAt(tx, cluster.id, effectiveFrom);
      if (existing && existing.effectiveFrom.getTime() <= now.getTime())
        throw AppError.conflict(`the price entry effective ${effectiveFrom.toISOString()} is already in effect; add a new one instead`);
      const written = await this.book.upsert(tx, {
        clusterId: cluster.id,
        effectiveFrom,
        prices: request.price_table,
        createdAt: now,
        createdBy: UUID.test(principal.userId) ? principal.userId : null,
      });
      // Effective now: estimates read it at once, not at the next tick.
      if (effectiveFrom.getTime() <= now.getTime()) await this.meter.promoteDuePrices(tx, now, cluster.id);
      return written;
    });
    // Refreshes this replica's cluster cache (others see it within the cache's TTL).
    await this.clusterRows.findById(cluster.id);
    return toEntry(entry, effectiveFrom.getTime() <= now.getTime());
  }
}

function toEntry(entry: PriceBookRecord, current: boolean): PriceBookEntry {
  return {
    cluster_id: entry.clusterId,
    effective_from: entry.effectiveFrom.toISOString(),
    price_table: entry.prices,
    created_at: entry.createdAt.toISOString(),
    current,
  };
}
