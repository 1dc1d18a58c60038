import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { GpuInventory } from '@bud/contracts';
import type { ClusterEntity } from '../entities';
import type { ClusterReachability } from '../domain/namespace-model';
import { mapRow, returnedRows } from '@bud/database';
import { CLOCK } from '@bud/ports';
import type { Clock } from '@bud/ports';

const COLUMNS = [
  'id',
  'name',
  'type',
  'tenant_id',
  'status',
  'status_message',
  'ingress_url',
  'gpu_inventory',
  'price_table',
  'settings',
  'isolation',
  'kubeconfig_encrypted',
  'created_at',
  'updated_at',
  'version',
];
const JSON_COLUMNS = new Set(['gpu_inventory', 'price_table', 'settings', 'isolation']);
const toColumn = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toParam = (column: string, value: unknown) => (JSON_COLUMNS.has(column) && value !== null ? JSON.stringify(value) : value);

/**
 * Clusters are read on every job request and change rarely; reads are served from memory for up to
 * this long. Writes through this process invalidate at once; other replicas see changes within it.
 */
const CACHE_TTL_MS = 2000;

@Injectable()
export class ClusterRepository {
  private readonly cache = new Map<string, { cluster: ClusterEntity | null; until: number }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Null when the name is taken (unique per tenant, and among shared clusters). */
  async insert(cluster: ClusterEntity): Promise<ClusterEntity | null> {
    const values = COLUMNS.map((column) =>
      toParam(column, (cluster as unknown as Record<string, unknown>)[column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())]),
    );
    const rows = await this.db.query<Record<string, unknown>[]>(
      `INSERT INTO clusters (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING RETURNING *`,
      values,
    );
    return rows[0] ? mapRow<ClusterEntity>(rows[0]) : null;
  }

  /** A caller sees its tenant's clusters and the shared ones. */
  async findVisible(id: string, tenantId: string): Promise<ClusterEntity | null> {
    const cached = this.cache.get(id);
    const cluster = cached && cached.until > this.clock.now() ? cached.cluster : await this.findById(id);
    if (cluster && cluster.tenantId !== null && cluster.tenantId !== tenantId) return null;
    return cluster;
  }

  async findById(id: string): Promise<ClusterEntity | null> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM clusters WHERE id = $1`, [id]);
    const cluster = rows[0] ? mapRow<ClusterEntity>(rows[0]) : null;
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(id, { cluster, until: this.clock.now() + CACHE_TTL_MS });
    return cluster;
  }

  async findSharedByName(name: string): Promise<ClusterEntity | null> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM clusters WHERE name = $1 AND tenant_id IS NULL`, [name]);
    return rows[0] ? mapRow<ClusterEntity>(rows[0]) : null;
  }

  async listVisible(
    tenantId: string,
    filter: { type?: string; status?: string },
    page: number,
    pageSize: number,
  ): Promise<{ items: ClusterEntity[]; total: number }> {
    const params: unknown[] = [tenantId];
    const where = ['(tenant_id = $1 OR tenant_id IS NULL)'];
    if (filter.type) where.push(`type = $${params.push(filter.type)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    const [count] = await this.db.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM clusters WHERE ${where.join(' AND ')}`,
      params,
    );
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM clusters WHERE ${where.join(' AND ')} ORDER BY name, id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { items: rows.map((row) => mapRow<ClusterEntity>(row)), total: count?.total ?? 0 };
  }

  async listAll(): Promise<ClusterEntity[]> {
    return (await this.db.query<Record<string, unknown>[]>(`SELECT * FROM clusters ORDER BY created_at`)).map((row) =>
      mapRow<ClusterEntity>(row),
    );
  }

  /** Optimistic update; null when the version moved on (or the name is taken: the caller re-reads to tell). */
  async update(id: string, expectedVersion: number, fields: Partial<ClusterEntity>, now: Date): Promise<ClusterEntity | null> {
    this.cache.delete(id);
    const sets = ['updated_at = $3', 'version = version + 1'];
    const params: unknown[] = [id, expectedVersion, now];
    for (const [key, value] of Object.entries(fields)) {
      const column = toColumn(key);
      params.push(toParam(column, value));
      sets.push(`${column} = $${params.length}`);
    }
    const rows = returnedRows(
      await this.db.query(`UPDATE clusters SET ${sets.join(', ')} WHERE id = $1 AND version = $2 RETURNING *`, params),
    );
    return rows[0] ? mapRow<ClusterEntity>(rows[0]) : null;
  }

  /**
   * The GPU inventory the cluster's nodes offer now (docs/design.md#cluster-status). Observed, not configured: the
   * version stays, so no one's optimistic update is refused for it. True when it changed.
   */
  async recordInventory(id: string, inventory: GpuInventory, now: Date): Promise<boolean> {
    this.cache.delete(id);
    const rows = returnedRows(
      await this.db.query(
        `UPDATE clusters SET gpu_inventory = $2::jsonb, updated_at = $3 WHERE id = $1 AND gpu_inventory IS DISTINCT FROM $2::jsonb RETURNING id`,
        [id, JSON.stringify(inventory), now],
      ),
    );
    return rows.length > 0;
  }

  /** `ready` or `unreachable` with the last error (docs/design.md#cluster-status); true when it changed. */
  async recordReachability(id: string, reachability: ClusterReachability, now: Date): Promise<boolean> {
    this.cache.delete(id);
    const status = reachability.reachable ? 'ready' : 'unreachable';
    const rows = returnedRows(
      await this.db.query(
        `UPDATE clusters SET status = $2, status_message = $3, updated_at = $4
         WHERE id = $1 AND (status IS DISTINCT FROM $2 OR status_message IS DISTINCT FROM $3) RETURNING id`,
        [id, status, reachability.message, now],
      ),
    );
    return rows.length > 0;
  }

  async delete(id: string): Promise<void> {
    this.cache.delete(id);
    await this.db.query(`DELETE FROM clusters WHERE id = $1`, [id]);
  }
}
