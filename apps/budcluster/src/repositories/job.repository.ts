import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { activeJobStatuses } from '@bud/contracts';
import type { JobStatus } from '@bud/contracts';
import type { JobEntity, JobEventEntity } from '../entities';
import { StatementBatcher, managerOf, mapRow, preparedQuery, returnedRows, runInTransaction } from '@bud/database';
import type { Tx } from '@bud/database';
import { NEW_WORK_REFUSING_ACTIONS } from '../domain/budget';
import { INSERT_JOB, INSERT_SETTLED_JOBS, JSON_COLUMNS, jobRecord, jobValues } from './job-insert.statements';

/** `status IN ($2, $3, …)` over the contracts' active set, its parameters numbered after the query's first. */
const ACTIVE_STATUS_IN = `status IN (${activeJobStatuses.map((_, i) => `$${i + 2}`).join(', ')})`;
/**
 * Creates in one statement at a time at most (two in flight), the rest going together in the next: the database's
 * cost per statement, not per row, is what bounds creates per second.
 */
const CREATE_BATCHES = { maxInFlight: 2, maxItems: 100, maxBytes: 1024 * 1024, maxQueued: 2000 };

interface NewJob {
  job: JobEntity;
  record: string;
  event: string;
  pubsubName: string;
  topic: string;
}

export interface InsertedJob {
  job: JobEntity;
  created: boolean;
}

export interface StatusChange {
  status: JobStatus;
  reason: string | null;
  message: string | null;
  occurredAt: Date;
}

@Injectable()
export class JobRepository {
  private readonly creates: StatementBatcher<NewJob, { settled: boolean; inserted: boolean }>;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.creates = new StatementBatcher(
      (jobs) => this.insertSettled(jobs),
      (job) => job.record.length + job.event.length,
      CREATE_BATCHES,
    );
  }

  /** One unit of work: the repository methods given `tx` run in it, committed together. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return runInTransaction(this.db, work);
  }

  /**
   * The create path's one round trip (docs/design.md#job-creation): inserts the job, its first event and its outbox
   * row when the database has nothing to check first — the namespace is already the tenant's and no budget that can
   * refuse new work covers the job. Null when it has (nothing is written): the caller takes the checked path and then
   * `insert`. With an idempotency key that already exists nothing is written and `created` is false. Concurrent
   * creates share one statement (CREATE_BATCHES).
   */
  async insertIfSettled(job: JobEntity, outboxEvent: object, pubsubName: string, topic: string): Promise<InsertedJob | null> {
    const outcome = await this.creates.submit({
      job,
      record: JSON.stringify(jobRecord(job)),
      event: JSON.stringify(outboxEvent),
      pubsubName,
      topic,
    });
    if (!outcome.settled) return null;
    return this.answer(job, outcome.inserted);
  }

  /** `insertIfSettled` after the caller has settled the namespace and the budgets itself. */
  async insert(job: JobEntity, outboxEvent: object, pubsubName: string, topic: string): Promise<InsertedJob> {
    const [row] = await preparedQuery<{ inserted: number }>(this.db, 'jobs.insert', INSERT_JOB, [
      ...jobValues(job),
      pubsubName,
      topic,
      JSON.stringify(outboxEvent),
    ]);
    return this.answer(job, (row?.inserted ?? 0) > 0);
  }

  /** One statement for a batch of creates; a batch is of one pubsub and topic (the job events'), checked here. */
  private async insertSettled(jobs: NewJob[]): Promise<Array<{ settled: boolean; inserted: boolean }>> {
    const { pubsubName, topic } = jobs[0];
    if (jobs.some((job) => job.pubsubName !== pubsubName || job.topic !== topic)) throw new Error('one create batch, one topic');
    return preparedQuery<{ settled: boolean; inserted: boolean }>(this.db, 'jobs.insert-settled', INSERT_SETTLED_JOBS, [
      `[${jobs.map((job) => job.record).join(',')}]`,
      `[${jobs.map((job) => job.event).join(',')}]`,
      pubsubName,
      topic,
      NEW_WORK_REFUSING_ACTIONS,
    ]);
  }

  /** The row as written is the entity (every column is given), so only a repeated idempotency key reads one back. */
  private async answer(job: JobEntity, inserted: boolean): Promise<InsertedJob> {
    if (inserted) return { job, created: true };
    const existing = await this.findByIdempotencyKey(job.tenantId, job.idempotencyKey ?? '');
    if (!existing) throw new Error('idempotency conflict without an existing row');
    return { job: existing, created: false };
  }

  async findByIdempotencyKey(tenantId: string, key: string): Promise<JobEntity | null> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM jobs WHERE tenant_id = $1 AND idempotency_key = $2`, [
      tenantId,
      key,
    ]);
    return rows[0] ? mapRow<JobEntity>(rows[0]) : null;
  }

  async findById(id: string, tx?: Tx): Promise<JobEntity | null> {
    const rows = await (tx ? managerOf(tx) : this.db.manager).query<Record<string, unknown>[]>(`SELECT * FROM jobs WHERE id = $1`, [id]);
    return rows[0] ? mapRow<JobEntity>(rows[0]) : null;
  }

  async lockById(tx: Tx, id: string): Promise<JobEntity | null> {
    const rows = await managerOf(tx).query<Record<string, unknown>[]>(`SELECT * FROM jobs WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? mapRow<JobEntity>(rows[0]) : null;
  }

  async eventsOf(jobId: string): Promise<JobEventEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM job_events WHERE job_id = $1 ORDER BY id`, [jobId]);
    return rows.map((row) => mapRow<JobEventEntity>(row));
  }

  /** Writes a status change, its history row; the caller adds the outbox row in the same transaction. */
  async recordStatus(tx: Tx, job: JobEntity, change: StatusChange, fields: Partial<JobEntity>): Promise<JobEntity> {
    const manager = managerOf(tx);
    const sets = ['status = $2', 'status_reason = $3', 'status_message = $4', 'updated_at = $5', 'version = version + 1'];
    const params: unknown[] = [job.id, change.status, change.reason, change.message, change.occurredAt];
    for (const [key, value] of Object.entries(fields)) {
      const column = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      params.push(JSON_COLUMNS.has(column) && value !== null ? JSON.stringify(value) : value);
      sets.push(`${column} = $${params.length}`);
    }
    const updated = returnedRows(await manager.query(`UPDATE jobs SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params));
    const next = mapRow<JobEntity>(updated[0] ?? {});
    await manager.query(
      `INSERT INTO job_events (job_id, from_status, to_status, reason, message, job_version, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [job.id, job.status, change.status, change.reason, change.message, next.version, change.occurredAt],
    );
    return next;
  }

  /** Writes columns that are not the status (health, rollout, an in-place update); one version up, no history row. */
  async recordFields(tx: Tx, jobId: string, fields: Partial<JobEntity>, now: Date): Promise<JobEntity> {
    const sets = ['updated_at = $2', 'version = version + 1'];
    const params: unknown[] = [jobId, now];
    for (const [key, value] of Object.entries(fields)) {
      const column = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      params.push(JSON_COLUMNS.has(column) && value !== null ? JSON.stringify(value) : value);
      sets.push(`${column} = $${params.length}`);
    }
    const updated = returnedRows(await managerOf(tx).query(`UPDATE jobs SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params));
    return mapRow<JobEntity>(updated[0] ?? {});
  }

  /** Optimistic update of the mutable, non-status fields; null when `expectedVersion` is stale. */
  async patch(
    id: string,
    expectedVersion: number,
    fields: Pick<JobEntity, 'priorityClass' | 'priority' | 'policy' | 'labels'>,
    now: Date,
  ): Promise<JobEntity | null> {
    const rows = returnedRows(
      await this.db.query(
        `UPDATE jobs SET priority_class = $3, priority = $4, policy = $5, labels = $6, updated_at = $7, version = version + 1
          WHERE id = $1 AND version = $2 RETURNING *`,
        [id, expectedVersion, fields.priorityClass, fields.priority, JSON.stringify(fields.policy), JSON.stringify(fields.labels), now],
      ),
    );
    return rows[0] ? mapRow<JobEntity>(rows[0]) : null;
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM jobs WHERE id = $1`, [id]);
  }

  async deleteAllOnCluster(clusterId: string): Promise<void> {
    await this.db.query(`DELETE FROM jobs WHERE cluster_id = $1`, [clusterId]);
  }

  async activeOnCluster(clusterId: string): Promise<JobEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM jobs WHERE cluster_id = $1 AND ${ACTIVE_STATUS_IN} ORDER BY priority DESC, created_at`,
      [clusterId, ...activeJobStatuses],
    );
    return rows.map((row) => mapRow<JobEntity>(row));
  }

  /** Jobs waiting to be placed, for the owner's sweep of work handed over by other replicas. */
  /** Ids only: the owner's sweep runs every few seconds and needs whole rows just for what it missed. */
  async pendingIdsOnCluster(clusterId: string): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(`SELECT id FROM jobs WHERE cluster_id = $1 AND status = 'pending'`, [
      clusterId,
    ]);
    return rows.map((row) => row.id);
  }

  async pendingByIds(clusterId: string, ids: readonly string[]): Promise<JobEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM jobs WHERE cluster_id = $1 AND status = 'pending' AND id = ANY($2::uuid[]) ORDER BY priority DESC, created_at`,
      [clusterId, ids],
    );
    return rows.map((row) => mapRow<JobEntity>(row));
  }

  /** Jobs on these clusters whose rollout has run past its readiness timeout (docs/design.md#in-place-update). */
  async overdueRollouts(clusterIds: readonly string[], now: Date): Promise<string[]> {
    if (clusterIds.length === 0) return [];
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM jobs
        WHERE rollout_started_at IS NOT NULL AND cluster_id = ANY($1::uuid[]) AND generation > observed_generation
          AND status NOT IN ('succeeded', 'failed', 'cancelled')
          AND rollout_started_at + make_interval(secs => COALESCE((policy->>'readiness_timeout_seconds')::int, 600)) < $2
        LIMIT 500`,
      [clusterIds, now],
    );
    return rows.map((row) => row.id);
  }

  async countActiveOnCluster(clusterId: string): Promise<number> {
    const [row] = await this.db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM jobs WHERE cluster_id = $1 AND ${ACTIVE_STATUS_IN}`,
      [clusterId, ...activeJobStatuses],
    );
    return row?.n ?? 0;
  }

  async overlapping(tenantId: string, clusterId: string, start: Date, end: Date): Promise<JobEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM jobs
        WHERE tenant_id = $1 AND cluster_id = $2
          AND COALESCE(started_at, queued_at, created_at) < $4
          AND (completed_at IS NULL OR completed_at >= $3)
        ORDER BY COALESCE(started_at, queued_at, created_at) LIMIT 5000`,
      [tenantId, clusterId, start, end],
    );
    return rows.map((row) => mapRow<JobEntity>(row));
  }

  async statusCounts(): Promise<Array<{ status: JobStatus; n: number }>> {
    return await this.db.query<Array<{ status: JobStatus; n: number }>>(`SELECT status, count(*)::int AS n FROM jobs GROUP BY status`);
  }

  /**
   * GPUs per type that every tenant's jobs on the cluster hold (`holding` statuses) or wait for (`waiting`), a job
   * counting gpu_count × replicas (docs/design.md#cluster-status). Served by jobs_cluster_status.
   */
  async gpuUseOnCluster(
    clusterId: string,
    holding: readonly JobStatus[],
    waiting: readonly JobStatus[],
  ): Promise<Array<{ gpuType: string; used: number; queued: number }>> {
    const rows = await this.db.query<Array<{ gpu_type: string; used: number; queued: number }>>(
      `SELECT resources->>'gpu_type' AS gpu_type,
              COALESCE(SUM(gpus) FILTER (WHERE status = ANY($2::text[])), 0)::int AS used,
              COALESCE(SUM(gpus) FILTER (WHERE status = ANY($3::text[])), 0)::int AS queued
         FROM (SELECT status, resources,
                      COALESCE((resources->>'gpu_count')::int, 0) * GREATEST(COALESCE((resources->>'replicas')::int, 1), 1) AS gpus
                 FROM jobs
                WHERE cluster_id = $1 AND status = ANY($4::text[]) AND resources->>'gpu_type' IS NOT NULL) AS active
        WHERE gpus > 0
        GROUP BY 1
        ORDER BY 1`,
      [clusterId, holding, waiting, [...holding, ...waiting]],
    );
    return rows.map((row) => ({ gpuType: row.gpu_type, used: row.used, queued: row.queued }));
  }

  /**
   * The active job of the cluster and namespace whose helm release is named `releaseName`, if any: a given
   * spec.release_name is kept as the release's name (docs/design.md#object-names), so two active jobs may not share one.
   * A job from before resource names has its release_name, else its name, as its release.
   */
  async activeHelmReleaseHolder(clusterId: string, namespace: string, releaseName: string): Promise<{ id: string; name: string } | null> {
    const [row] = await this.db.query<Array<{ id: string; name: string }>>(
      `SELECT id, name FROM jobs
        WHERE cluster_id = $1 AND k8s_namespace = $2 AND k8s_resource_kind = 'HelmRelease' AND status = ANY($4::text[])
          AND (k8s_resource_name = $3 OR (k8s_resource_name IS NULL AND COALESCE(spec->>'release_name', name) = $3))
        LIMIT 1`,
      [clusterId, namespace, releaseName, activeJobStatuses],
    );
    return row ?? null;
  }
}
