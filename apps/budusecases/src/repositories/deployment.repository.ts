import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, DeploymentListQuery, KeysetPosition } from '@bud/contracts';
import { USECASE_EVENTS_TOPIC } from '@bud/contracts';
import {
  KEYSET_MICROS,
  KEYSET_ORDER,
  keysetAfter,
  keysetParams,
  listTotal,
  managerOf,
  mapRow,
  returnedRows,
  runInTransaction,
  splitPage,
  withoutKeyset,
} from '@bud/database';
import type { ListTotal, Tx } from '@bud/database';
import type { DeploymentComponentRecord, DeploymentEventRecord, DeploymentRecord } from '../entities/records';

type Row = Record<string, unknown>;
/** A tenant's deployments are counted up to this many; above it the list answers the planner's estimate. */
const MAX_COUNTED_DEPLOYMENTS = 10_000;
const JSON_COLUMNS = new Set([
  'template_document',
  'parameters',
  'secret_parameters',
  'plan',
  'planned',
  'job_outputs',
  'outputs',
  'component_overrides',
]);
const column = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const param = (key: string, value: unknown) => (JSON_COLUMNS.has(column(key)) ? JSON.stringify(value) : value);

export interface NewEvent {
  type: string;
  componentId?: string | null;
  status?: string | null;
  message?: string | null;
}

@Injectable()
export class DeploymentRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One unit of work: the repository methods given `tx` run in it, committed together. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return runInTransaction(this.db, work);
  }

  /** The deployment, its components and its first event, in one transaction. Null when the name is taken. */
  async insert(deployment: DeploymentRecord, components: DeploymentComponentRecord[]): Promise<DeploymentRecord | null> {
    return this.transaction(async (tx) => {
      const created = await this.insertRow(tx, 'deployments', deployment, '(tenant_id, name) DO NOTHING');
      if (!created) return null;
      for (const component of components) await this.insertRow(tx, 'deployment_components', component);
      await this.addEvent(
        tx,
        deployment.id,
        { type: 'deployment.status', status: deployment.status, message: 'deployment created' },
        deployment.createdAt,
      );
      return mapRow<DeploymentRecord>(created);
    });
  }

  async findVisible(id: string, tenantId: string): Promise<DeploymentRecord | null> {
    const rows = await this.db.query<Row[]>(`SELECT * FROM deployments WHERE id = $1 AND tenant_id = $2`, [id, tenantId]);
    return rows[0] ? mapRow<DeploymentRecord>(rows[0]) : null;
  }

  async findById(id: string, tx?: Tx): Promise<DeploymentRecord | null> {
    const rows = await this.manager(tx).query<Row[]>(`SELECT * FROM deployments WHERE id = $1`, [id]);
    return rows[0] ? mapRow<DeploymentRecord>(rows[0]) : null;
  }

  /** Newest first, from `after` (a cursor's position) or by page (docs/design.md#lists-and-pagination). */
  async list(
    tenantId: string,
    query: DeploymentListQuery,
    after: KeysetPosition | null,
  ): Promise<{ items: DeploymentRecord[]; last: { keyset_micros: unknown; id: unknown } | null; total: ListTotal }> {
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1'];
    for (const [key, value] of [
      ['status', query.status],
      ['cluster_id', query.cluster_id],
      ['project_id', query.project_id],
      ['template_id', query.template_id],
    ] as const) {
      if (value !== undefined) where.push(`${key} = $${params.push(value)}`);
    }
    const filter = where.join(' AND ');
    const pageWhere = after ? `${filter} AND ${keysetAfter(params.length + 1, params.length + 2)}` : filter;
    const offset = after ? 0 : (query.page - 1) * query.page_size;
    const [total, rows] = await Promise.all([
      listTotal(this.db, `FROM deployments WHERE ${filter}`, params, MAX_COUNTED_DEPLOYMENTS),
      this.db.query<Row[]>(
        `SELECT *, ${KEYSET_MICROS} FROM deployments WHERE ${pageWhere} ORDER BY ${KEYSET_ORDER} LIMIT ${query.page_size + 1} OFFSET ${offset}`,
        after ? [...params, ...keysetParams(after)] : params,
      ),
    ]);
    const { shown, last } = splitPage(rows, query.page_size);
    return { items: shown.map((row) => mapRow<DeploymentRecord>(withoutKeyset(row))), last, total };
  }

  /** The deployments of the tenant (or of one of its projects) meant to be running (docs/design.md#budget-events). */
  async desiredRunning(tenantId: string, projectId: string | null): Promise<DeploymentRecord[]> {
    const rows = await this.db.query<Row[]>(
      `SELECT * FROM deployments WHERE tenant_id = $1 AND desired_state = 'running' AND ($2::uuid IS NULL OR project_id = $2::uuid)
        ORDER BY created_at, id`,
      [tenantId, projectId],
    );
    return rows.map((row) => mapRow<DeploymentRecord>(row));
  }

  /** The deployment and its components as of one instant, so a plan never mixes two runs. */
  async snapshot(id: string): Promise<{ deployment: DeploymentRecord; components: DeploymentComponentRecord[] } | null> {
    return runInTransaction(
      this.db,
      async (tx) => {
        const deployment = await this.findById(id, tx);
        return deployment ? { deployment, components: await this.components(id, tx) } : null;
      },
      'REPEATABLE READ',
    );
  }

  /**
   * Inside a transaction: true when the deployment still has the run and desired state a plan was made
   * from. The share lock holds off start/stop/delete until the caller commits.
   */
  async stillPlannedAs(tx: Tx, planned: DeploymentRecord): Promise<boolean> {
    const rows = await this.manager(tx).query<Row[]>(`SELECT run, desired_state FROM deployments WHERE id = $1 FOR SHARE`, [planned.id]);
    return rows[0]?.run === planned.run && rows[0]?.desired_state === planned.desiredState;
  }

  /**
   * Inside a transaction: the deployment, locked until commit, so API actions on it take turns and each sees the
   * last one's result. NO KEY UPDATE, as an UPDATE takes: a FOR UPDATE would also block the foreign-key checks of
   * a job event's inserts, which hold the component row this transaction updates next (a deadlock).
   */
  async lockDeployment(tx: Tx, id: string): Promise<DeploymentRecord | null> {
    const rows = await this.manager(tx).query<Row[]>(`SELECT * FROM deployments WHERE id = $1 FOR NO KEY UPDATE`, [id]);
    return rows[0] ? mapRow<DeploymentRecord>(rows[0]) : null;
  }

  async components(deploymentId: string, tx?: Tx): Promise<DeploymentComponentRecord[]> {
    const rows = await this.manager(tx).query<Row[]>(`SELECT * FROM deployment_components WHERE deployment_id = $1 ORDER BY wave, id`, [
      deploymentId,
    ]);
    return rows.map((row) => mapRow<DeploymentComponentRecord>(row));
  }

  async insertComponent(tx: Tx, component: DeploymentComponentRecord): Promise<void> {
    await this.insertRow(tx, 'deployment_components', component);
  }

  async lockComponent(tx: Tx, deploymentId: string, componentId: string): Promise<DeploymentComponentRecord | null> {
    const rows = await this.manager(tx).query<Row[]>(
      `SELECT * FROM deployment_components WHERE deployment_id = $1 AND id = $2 FOR UPDATE`,
      [deploymentId, componentId],
    );
    return rows[0] ? mapRow<DeploymentComponentRecord>(rows[0]) : null;
  }

  async updateComponent(
    tx: Tx,
    deploymentId: string,
    componentId: string,
    fields: Partial<DeploymentComponentRecord>,
    now: Date,
  ): Promise<void> {
    const params: unknown[] = [deploymentId, componentId, now];
    const sets = ['updated_at = $3'];
    for (const [key, value] of Object.entries(fields)) sets.push(`${column(key)} = $${params.push(param(key, value))}`);
    await this.manager(tx).query(`UPDATE deployment_components SET ${sets.join(', ')} WHERE deployment_id = $1 AND id = $2`, params);
  }

  async updateDeployment(tx: Tx, id: string, fields: Partial<DeploymentRecord>, now: Date): Promise<DeploymentRecord | null> {
    const params: unknown[] = [id, now];
    const sets = ['updated_at = $2', 'version = version + 1'];
    for (const [key, value] of Object.entries(fields)) sets.push(`${column(key)} = $${params.push(param(key, value))}`);
    const rows = returnedRows(await this.manager(tx).query(`UPDATE deployments SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params));
    return rows[0] ? mapRow<DeploymentRecord>(rows[0]) : null;
  }

  async addEvent(tx: Tx, deploymentId: string, event: NewEvent, at: Date): Promise<void> {
    await this.manager(tx).query(
      `INSERT INTO deployment_events (deployment_id, type, component_id, status, message, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [deploymentId, event.type, event.componentId ?? null, event.status ?? null, event.message ?? null, at],
    );
  }

  /** Progress for other services, published by the relay from the same transaction (topic usecase-events). */
  async addOutbox(tx: Tx, event: CloudEvent, at: Date): Promise<void> {
    await this.manager(tx).query(
      `INSERT INTO outbox (pubsub_name, topic, event, created_at, next_attempt_at) VALUES ('pubsub', $1, $2, $3, $3)`,
      [USECASE_EVENTS_TOPIC, event, at],
    );
  }

  async events(deploymentId: string, afterId = '0', limit = 500): Promise<DeploymentEventRecord[]> {
    const rows = await this.db.query<Row[]>(`SELECT * FROM deployment_events WHERE deployment_id = $1 AND id > $2 ORDER BY id LIMIT $3`, [
      deploymentId,
      afterId,
      limit,
    ]);
    return rows.map((row) => mapRow<DeploymentEventRecord>(row));
  }

  /**
   * Events after `afterId`, and also those recorded since `recentSince` whatever their id: ids come from
   * a sequence, so a transaction that commits late adds an id below ones already read.
   */
  async eventsForStream(deploymentId: string, afterId: string, recentSince: Date, limit = 500): Promise<DeploymentEventRecord[]> {
    const rows = await this.db.query<Row[]>(
      `SELECT * FROM deployment_events WHERE deployment_id = $1 AND (id > $2 OR occurred_at >= $3) ORDER BY id LIMIT $4`,
      [deploymentId, afterId, recentSince, limit],
    );
    return rows.map((row) => mapRow<DeploymentEventRecord>(row));
  }

  /** A lease makes one reconciler (of any replica) the only one acting on a deployment for a while. */
  async acquireLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = returnedRows(
      await this.db.query(
        `UPDATE deployments SET lease_owner = $2, lease_until = now() + ($3 || ' milliseconds')::interval
          WHERE id = $1 AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2) RETURNING id`,
        [id, owner, String(leaseMs)],
      ),
    );
    return rows.length > 0;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db.query(`UPDATE deployments SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [id, owner]);
  }

  /** Deployments whose actual state may differ from the desired one. */
  async unsettled(limit: number): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM deployments
        WHERE desired_state = 'deleted'
           OR (desired_state = 'stopped' AND status <> 'stopped')
           OR (desired_state = 'running' AND status IN ('pending', 'deploying', 'updating', 'degraded'))
           OR (desired_state = 'running' AND status = 'running' AND EXISTS (
                 SELECT 1 FROM deployment_components c WHERE c.deployment_id = deployments.id AND c.unhealthy_since IS NOT NULL))
           OR (desired_state = 'running' AND status = 'failed' AND on_failure = 'rollback')
        ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await this.manager(tx).query(`DELETE FROM deployments WHERE id = $1`, [id]);
  }

  private async insertRow(tx: Tx, table: string, record: object, onConflict?: string): Promise<Row | null> {
    const entries = Object.entries(record);
    const columns = entries.map(([key]) => column(key));
    const values = entries.map(([key, value]) => param(key, value));
    const rows = await this.manager(tx).query<Row[]>(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})${onConflict ? ` ON CONFLICT ${onConflict}` : ''} RETURNING *`,
      values,
    );
    return rows[0] ?? null;
  }

  private manager(tx: Tx | undefined): EntityManager {
    return tx ? managerOf(tx) : this.db.manager;
  }
}
