import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { activeJobStatuses } from '@bud/contracts';
import type { VolumeListQuery, VolumeStatus } from '@bud/contracts';
import { managerOf, mapRow, returnedRows } from '@bud/database';
import type { Tx } from '@bud/database';
import type { VolumeEntity } from '../entities';

/** A claim as a job attaches it; the row of an existing claim keeps its id, size and creation time. */
export type AttachedVolume = Pick<
  VolumeEntity,
  | 'id'
  | 'clusterId'
  | 'tenantId'
  | 'namespace'
  | 'claimName'
  | 'volumeName'
  | 'jobName'
  | 'jobId'
  | 'usecaseDeploymentId'
  | 'component'
  | 'size'
>;

@Injectable()
export class VolumeRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * docs/design.md#volumes: the job's claims become attached to it (a claim of the same name is the same row). A claim
   * another active job holds stays that job's: creation refuses such a job (409), and a row never changes hands under it.
   */
  async attach(volumes: readonly AttachedVolume[], now: Date): Promise<void> {
    for (const v of volumes) {
      await this.db.query(
        `INSERT INTO volumes (id, cluster_id, tenant_id, namespace, claim_name, volume_name, job_name, job_id, usecase_deployment_id,
                              component, size, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'attached', $12, $12)
         ON CONFLICT (cluster_id, namespace, claim_name) DO UPDATE
           SET job_id = EXCLUDED.job_id, job_name = EXCLUDED.job_name, usecase_deployment_id = EXCLUDED.usecase_deployment_id,
               component = EXCLUDED.component, volume_name = EXCLUDED.volume_name, status = 'attached', updated_at = EXCLUDED.updated_at
           WHERE volumes.tenant_id = EXCLUDED.tenant_id
             AND (volumes.job_id = EXCLUDED.job_id
                  OR NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = volumes.job_id AND jobs.status = ANY($13::text[])))`,
        [
          v.id,
          v.clusterId,
          v.tenantId,
          v.namespace,
          v.claimName,
          v.volumeName,
          v.jobName,
          v.jobId,
          v.usecaseDeploymentId,
          v.component,
          v.size,
          now,
          activeJobStatuses,
        ],
      );
    }
  }

  /**
   * The claims among `claimNames` in the cluster and namespace that an active job holds, with that job: a new job may
   * not attach them (docs/design.md#object-names). Served by the (cluster_id, namespace, claim_name) key.
   */
  async heldByActiveJobs(
    clusterId: string,
    namespace: string,
    claimNames: readonly string[],
  ): Promise<Array<{ claimName: string; jobId: string; jobName: string }>> {
    if (claimNames.length === 0) return [];
    const rows = await this.db.query<Array<{ claim_name: string; job_id: string; job_name: string }>>(
      `SELECT v.claim_name, j.id AS job_id, j.name AS job_name
         FROM volumes v JOIN jobs j ON j.id = v.job_id
        WHERE v.cluster_id = $1 AND v.namespace = $2 AND v.claim_name = ANY($3::text[]) AND j.status = ANY($4::text[])
        ORDER BY v.claim_name`,
      [clusterId, namespace, claimNames, activeJobStatuses],
    );
    return rows.map((row) => ({ claimName: row.claim_name, jobId: row.job_id, jobName: row.job_name }));
  }

  /** A job that ended (stopped, failed, finished) no longer holds its volumes; its workload is gone, the claims stay. */
  async detachJob(tx: Tx, jobId: string, now: Date): Promise<void> {
    await managerOf(tx).query(`UPDATE volumes SET status = 'detached', updated_at = $2 WHERE job_id = $1 AND status = 'attached'`, [
      jobId,
      now,
    ]);
  }

  /** Moves the volumes last attached to a job from one status to another; answers the rows moved. */
  async setStatusOfJob(jobId: string, from: readonly VolumeStatus[], to: VolumeStatus, now: Date): Promise<VolumeEntity[]> {
    const rows = returnedRows(
      await this.db.query(`UPDATE volumes SET status = $3, updated_at = $4 WHERE job_id = $1 AND status = ANY($2) RETURNING *`, [
        jobId,
        from,
        to,
        now,
      ]),
    );
    return rows.map((row) => mapRow<VolumeEntity>(row));
  }

  async ofJob(jobId: string): Promise<VolumeEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM volumes WHERE job_id = $1 ORDER BY claim_name`, [jobId]);
    return rows.map((row) => mapRow<VolumeEntity>(row));
  }

  async findById(id: string): Promise<VolumeEntity | null> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM volumes WHERE id = $1`, [id]);
    return rows[0] ? mapRow<VolumeEntity>(rows[0]) : null;
  }

  /** Marks a volume `deleting` unless it is attached; null when it is attached (or gone). */
  async markDeleting(id: string, now: Date): Promise<VolumeEntity | null> {
    const rows = returnedRows(
      await this.db.query(`UPDATE volumes SET status = 'deleting', updated_at = $2 WHERE id = $1 AND status <> 'attached' RETURNING *`, [
        id,
        now,
      ]),
    );
    return rows[0] ? mapRow<VolumeEntity>(rows[0]) : null;
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM volumes WHERE id = $1`, [id]);
  }

  async deletingOnCluster(clusterId: string): Promise<VolumeEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM volumes WHERE cluster_id = $1 AND status = 'deleting' LIMIT 100`,
      [clusterId],
    );
    return rows.map((row) => mapRow<VolumeEntity>(row));
  }

  /**
   * Whether anything remains in the namespace on this cluster: a job row or a volume. Any tenant's, not only the one
   * whose job went: a namespace named in a request may be shared, and deleting it would take others' work along.
   */
  async namespaceInUse(clusterId: string, namespace: string): Promise<boolean> {
    const [row] = await this.db.query<Array<{ used: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM jobs WHERE cluster_id = $1 AND k8s_namespace = $2)
           OR EXISTS (SELECT 1 FROM volumes WHERE cluster_id = $1 AND namespace = $2) AS used`,
      [clusterId, namespace],
    );
    return row?.used ?? true;
  }

  /** A page of one tenant's volumes on the cluster, newest first. */
  async list(clusterId: string, tenantId: string, query: VolumeListQuery): Promise<{ items: VolumeEntity[]; total: number }> {
    const where = ['cluster_id = $1', 'tenant_id = $2'];
    const params: unknown[] = [clusterId, tenantId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.status) add('status = ?', query.status);
    if (query.usecase_deployment_id) add('usecase_deployment_id = ?', query.usecase_deployment_id);
    const filter = where.join(' AND ');
    const [countRows, rows] = await Promise.all([
      this.db.query<Array<{ total: number }>>(`SELECT count(*)::int AS total FROM volumes WHERE ${filter}`, params),
      this.db.query<Record<string, unknown>[]>(
        `SELECT * FROM volumes WHERE ${filter} ORDER BY created_at DESC, id DESC LIMIT ${query.page_size} OFFSET ${(query.page - 1) * query.page_size}`,
        params,
      ),
    ]);
    return { items: rows.map((row) => mapRow<VolumeEntity>(row)), total: countRows[0]?.total ?? 0 };
  }
}
