import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ComponentDefinition } from '@bud/contracts';
import { managerOf, mapRow, returnedRows } from '@bud/database';
import type { Tx } from '@bud/database';
import type { ComponentRecord } from '../entities/records';

export interface ComponentFilter {
  category?: string;
  deploymentType?: string;
  tag?: string;
  q?: string;
}

type Row = Record<string, unknown>;

const toRecord = (row: Row): ComponentRecord => mapRow<ComponentRecord>(row);
/** `q` is matched literally: LIKE wildcards in it are escaped. */
export const likePattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@Injectable()
export class ComponentRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Active components, ordered by id. */
  async list(filter: ComponentFilter, page: number, pageSize: number): Promise<{ items: ComponentRecord[]; total: number }> {
    const params: unknown[] = [];
    const where = ['is_active'];
    if (filter.category) where.push(`category = $${params.push(filter.category)}`);
    if (filter.deploymentType) where.push(`deployment_type = $${params.push(filter.deploymentType)}`);
    if (filter.tag) where.push(`$${params.push(filter.tag)} = ANY (tags)`);
    if (filter.q) {
      const n = params.push(likePattern(filter.q));
      where.push(`(id ILIKE $${n} OR name ILIKE $${n} OR definition->>'description' ILIKE $${n})`);
    }
    const clause = where.join(' AND ');
    const [count] = await this.db.query<Array<{ total: number }>>(`SELECT count(*)::int AS total FROM components WHERE ${clause}`, params);
    const rows = await this.db.query<Row[]>(
      `SELECT * FROM components WHERE ${clause} ORDER BY id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { items: rows.map(toRecord), total: count?.total ?? 0 };
  }

  /** Active components in `category` (if given) carrying every tag in `tags`, ordered by id. */
  async search(category: string | undefined, tags: string[], limit: number): Promise<{ items: ComponentRecord[]; total: number }> {
    const params: unknown[] = [tags];
    const where = ['is_active', 'tags @> $1::text[]'];
    if (category) where.push(`category = $${params.push(category)}`);
    const clause = where.join(' AND ');
    const [count] = await this.db.query<Array<{ total: number }>>(`SELECT count(*)::int AS total FROM components WHERE ${clause}`, params);
    const rows = await this.db.query<Row[]>(`SELECT * FROM components WHERE ${clause} ORDER BY id LIMIT ${limit}`, params);
    return { items: rows.map(toRecord), total: count?.total ?? 0 };
  }

  async findById(id: string, tx?: Tx): Promise<ComponentRecord | null> {
    const rows = await this.manager(tx).query<Row[]>(`SELECT * FROM components WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async listActive(tx?: Tx): Promise<ComponentRecord[]> {
    return (await this.manager(tx).query<Row[]>(`SELECT * FROM components WHERE is_active ORDER BY id`)).map(toRecord);
  }

  async listAll(tx?: Tx): Promise<ComponentRecord[]> {
    return (await this.manager(tx).query<Row[]>(`SELECT * FROM components ORDER BY id`)).map(toRecord);
  }

  /** Null when the id exists (active or not). */
  async insert(definition: ComponentDefinition, now: Date, tx?: Tx): Promise<ComponentRecord | null> {
    const rows = await this.manager(tx).query<Row[]>(
      `INSERT INTO components (id, definition, name, category, deployment_type, tags, version, is_active, created_at, updated_at, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $8, 1) ON CONFLICT DO NOTHING RETURNING *`,
      [
        definition.id,
        JSON.stringify(definition),
        definition.name,
        definition.category,
        definition.deployment_type,
        definition.tags,
        definition.version,
        now,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Optimistic: null when the revision moved on. `activate` revives a soft-deleted component. */
  async update(
    id: string,
    expectedRevision: number,
    definition: ComponentDefinition,
    now: Date,
    activate: boolean,
    tx?: Tx,
  ): Promise<ComponentRecord | null> {
    const rows = returnedRows(
      await this.manager(tx).query(
        `UPDATE components SET definition = $3, name = $4, category = $5, deployment_type = $6, tags = $7, version = $8,
           is_active = is_active OR $9, updated_at = $10, revision = revision + 1
         WHERE id = $1 AND revision = $2 RETURNING *`,
        [
          id,
          expectedRevision,
          JSON.stringify(definition),
          definition.name,
          definition.category,
          definition.deployment_type,
          definition.tags,
          definition.version,
          activate,
          now,
        ],
      ),
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async deactivate(id: string, expectedRevision: number, now: Date): Promise<ComponentRecord | null> {
    const rows = returnedRows(
      await this.db.query(
        `UPDATE components SET is_active = false, updated_at = $3, revision = revision + 1 WHERE id = $1 AND revision = $2 RETURNING *`,
        [id, expectedRevision, now],
      ),
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  private manager(tx: Tx | undefined): EntityManager {
    return tx ? managerOf(tx) : this.db.manager;
  }
}
