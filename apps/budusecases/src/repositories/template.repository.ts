import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { managerOf, mapRow, returnedRows, runInTransaction } from '@bud/database';
import type { Tx } from '@bud/database';
import type { TemplateRecord } from '../entities/records';
import { likePattern } from './component.repository';
import type { ChangeNote, TemplateChanges, TemplateFilter, TemplateVersionRecord } from './template-rows';

type Row = Record<string, unknown>;
const toRecord = (row: Row): TemplateRecord => mapRow<TemplateRecord>(row);
const VISIBLE = '(tenant_id IS NULL OR tenant_id = $1) AND is_active';
// Replicas starting together must not race each other's inserts; one sync at a time, cluster-wide.
const SYNC_LOCK_KEY = 7_366_601;

@Injectable()
export class TemplateRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One unit of work: the repository methods given `tx` run in it, committed together. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return runInTransaction(this.db, work);
  }

  /** Holds the system template sync's lock until `tx` ends: one sync at a time across replicas. */
  async lockSync(tx: Tx): Promise<void> {
    await managerOf(tx).query(`SELECT pg_advisory_xact_lock($1::bigint)`, [SYNC_LOCK_KEY]);
  }

  /** System and the tenant's own active templates, ordered by id (ids are unique among them). */
  async listVisible(
    tenantId: string,
    filter: TemplateFilter,
    page: number,
    pageSize: number,
  ): Promise<{ items: TemplateRecord[]; total: number }> {
    const params: unknown[] = [tenantId];
    const where = [VISIBLE];
    if (filter.category) where.push(`category = $${params.push(filter.category)}`);
    if (filter.tag) where.push(`$${params.push(filter.tag)} = ANY (tags)`);
    if (filter.isSystem !== undefined) where.push(`is_system = $${params.push(filter.isSystem)}`);
    if (filter.q) {
      const n = params.push(likePattern(filter.q));
      where.push(`(id ILIKE $${n} OR name ILIKE $${n} OR document->>'description' ILIKE $${n})`);
    }
    const clause = where.join(' AND ');
    const [count] = await this.db.query<Array<{ total: number }>>(`SELECT count(*)::int AS total FROM templates WHERE ${clause}`, params);
    const rows = await this.db.query<Row[]>(
      `SELECT * FROM templates WHERE ${clause} ORDER BY id, row_id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { items: rows.map(toRecord), total: count?.total ?? 0 };
  }

  async findVisible(tenantId: string, id: string): Promise<TemplateRecord | null> {
    const rows = await this.db.query<Row[]>(`SELECT * FROM templates WHERE ${VISIBLE} AND id = $2`, [tenantId, id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Whether a new template of `tenantId` may not take `id`: a system id (even deactivated) or the tenant's own. */
  async idTaken(tenantId: string, id: string): Promise<boolean> {
    return (await this.takenIds(tenantId, [id])).has(id);
  }

  /** The ids among `candidates` that `idTaken` would refuse. */
  async takenIds(tenantId: string, candidates: string[]): Promise<Set<string>> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM templates WHERE id = ANY ($2::text[]) AND (tenant_id IS NULL OR tenant_id = $1)`,
      [tenantId, candidates],
    );
    return new Set(rows.map((r) => r.id));
  }

  async listSystem(tx?: Tx): Promise<TemplateRecord[]> {
    return (await this.manager(tx).query<Row[]>(`SELECT * FROM templates WHERE tenant_id IS NULL ORDER BY id`)).map(toRecord);
  }

  /** The ids among `ids` that some tenant's user template holds; a system template must not take them. */
  async userTemplateIds(ids: string[], tx?: Tx): Promise<Set<string>> {
    const rows = await this.manager(tx).query<Array<{ id: string }>>(
      `SELECT DISTINCT id FROM templates WHERE tenant_id IS NOT NULL AND id = ANY ($1::text[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Active templates of any tenant whose components use registry component `componentId`. */
  async listActiveUsing(componentId: string): Promise<TemplateRecord[]> {
    const rows = await this.db.query<Row[]>(
      `SELECT * FROM templates WHERE is_active AND document->'components' @> $1::jsonb ORDER BY id, row_id`,
      [JSON.stringify([{ component_ref: componentId }])],
    );
    return rows.map(toRecord);
  }

  /** Row and first version in one transaction; the caller checked the id (a race still ends in a unique violation, 23505). */
  async insert(
    record: Omit<TemplateRecord, 'name' | 'category' | 'version' | 'tags' | 'revision' | 'createdAt' | 'updatedAt'>,
    note: ChangeNote,
    tx?: Tx,
  ): Promise<TemplateRecord> {
    return this.inTransaction(tx, async (m) => {
      const d = record.document;
      const rows = await m.query<Row[]>(
        `INSERT INTO templates (row_id, id, tenant_id, is_system, document, name, category, version, tags, source_file, content_hash, forked_from, created_by, is_active, created_at, updated_at, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, 1) RETURNING *`,
        [
          record.rowId,
          record.id,
          record.tenantId,
          record.isSystem,
          JSON.stringify(d),
          d.name,
          d.category,
          d.version,
          d.tags,
          record.sourceFile,
          record.contentHash,
          record.forkedFrom,
          record.createdBy,
          record.isActive,
          note.at,
        ],
      );
      const created = toRecord(rows[0] ?? {});
      await this.addVersion(m, created, note);
      return created;
    });
  }

  /** Optimistic save plus its version row, atomically; null when `expectedRevision` is stale. */
  async update(
    rowId: string,
    expectedRevision: number,
    changes: TemplateChanges,
    note: ChangeNote,
    tx?: Tx,
  ): Promise<TemplateRecord | null> {
    return this.inTransaction(tx, async (m) => {
      const d = changes.document;
      const rows = returnedRows(
        await m.query(
          `UPDATE templates SET document = $3, name = $4, category = $5, version = $6, tags = $7, content_hash = $8,
             source_file = CASE WHEN $9::boolean THEN $10 ELSE source_file END, is_active = COALESCE($11, is_active),
             updated_at = $12, revision = revision + 1
           WHERE row_id = $1 AND revision = $2 RETURNING *`,
          [
            rowId,
            expectedRevision,
            JSON.stringify(d),
            d.name,
            d.category,
            d.version,
            d.tags,
            changes.contentHash,
            changes.sourceFile !== undefined,
            changes.sourceFile ?? null,
            changes.isActive ?? null,
            note.at,
          ],
        ),
      );
      if (!rows[0]) return null;
      const updated = toRecord(rows[0]);
      await this.addVersion(m, updated, note);
      return updated;
    });
  }

  /** Hides a system template whose file is gone; its history says so. */
  async deactivate(rowId: string, note: ChangeNote, tx: Tx): Promise<void> {
    const manager = managerOf(tx);
    const rows = returnedRows(
      await manager.query(
        `UPDATE templates SET is_active = false, updated_at = $2, revision = revision + 1 WHERE row_id = $1 RETURNING *`,
        [rowId, note.at],
      ),
    );
    if (rows[0]) await this.addVersion(manager, toRecord(rows[0]), note);
  }

  /** Hard delete; the versions go with the row (ON DELETE CASCADE). False when `expectedRevision` is stale. */
  async delete(rowId: string, expectedRevision: number): Promise<boolean> {
    const rows = returnedRows(
      await this.db.query(`DELETE FROM templates WHERE row_id = $1 AND revision = $2 RETURNING row_id`, [rowId, expectedRevision]),
    );
    return rows.length > 0;
  }

  /** Newest first. */
  async versions(rowId: string, page: number, pageSize: number): Promise<{ items: TemplateVersionRecord[]; total: number }> {
    const [count] = await this.db.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM template_versions WHERE template_row_id = $1`,
      [rowId],
    );
    const rows = await this.db.query<Row[]>(
      `SELECT * FROM template_versions WHERE template_row_id = $1 ORDER BY id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      [rowId],
    );
    return { items: rows.map((row) => mapRow<TemplateVersionRecord>({ ...row, id: String(row.id) })), total: count?.total ?? 0 };
  }

  private async addVersion(manager: EntityManager, template: TemplateRecord, note: ChangeNote): Promise<void> {
    await manager.query(
      `INSERT INTO template_versions (template_row_id, version, revision, document, author, change, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [template.rowId, template.version, template.revision, JSON.stringify(template.document), note.author, note.change, note.at],
    );
  }

  private inTransaction<T>(tx: Tx | undefined, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return tx ? work(managerOf(tx)) : this.db.transaction(work);
  }

  private manager(tx: Tx | undefined): EntityManager {
    return tx ? managerOf(tx) : this.db.manager;
  }
}
