import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ClusterEntity } from '../entities';
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
  'kubeconfig_encrypted',
  'created_at',
  'updated_at',
  'version',
];
const JSON_COLUMNS = new Set(['gpu_inventory', 'price_table', 'settings']);
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

  async setStatus(id: string, status: ClusterEntity['status'], message: string | null): Promise<void> {
    this.cache.delete(id);
    await this.db.query(`UPDATE clusters SET status = $2, status_message = $3, updated_at = now() WHERE id = $1`, [id, status, message]);
  }

  async delete(id: string): Promise<void> {
    this.cache.delete(id);
    await this.db.query(`DELETE FROM clusters WHERE id = $1`, [id]);
  }
}
