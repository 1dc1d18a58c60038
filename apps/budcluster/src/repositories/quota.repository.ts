import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { JobStatus } from '@bud/contracts';
import { mapRow, returnedRows } from '@bud/database';
import type { ClusterQuotaEntity } from '../entities';

/** What one tenant's jobs of one shape hold or wait for: the caller sums the quantity strings (docs/design.md#quotas). */
export interface QuotaUseRow {
  tenantId: string;
  /** null for jobs without GPUs. */
  gpuType: string | null;
  /** true: admitted or running; false: waiting. */
  holding: boolean;
  cpuRequest: string | null;
  memoryRequest: string | null;
  /** Replicas of the jobs in this group, together. */
  replicas: number;
  /** GPUs of the jobs in this group, together (gpu_count × replicas each). */
  gpus: number;
}

/** The tenant's row, or the default's: spelled so each is served by its partial unique index. */
function tenantIs(tenantId: string | null): string {
  return tenantId === null ? 'tenant_id IS NULL' : 'tenant_id = $2';
}

function toQuota(row: Record<string, unknown>): ClusterQuotaEntity {
  const quota = mapRow<ClusterQuotaEntity>(row);
  quota.weight = Number(quota.weight);
  return quota;
}

/** The `cluster_quotas` rows: one per tenant with a quota on a cluster, and at most one default (tenant_id null) each. */
@Injectable()
export class QuotaRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every quota of the cluster, the default (tenant_id null) first, then by tenant id. */
  async listOfCluster(clusterId: string): Promise<ClusterQuotaEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM cluster_quotas WHERE cluster_id = $1 ORDER BY tenant_id NULLS FIRST`,
      [clusterId],
    );
    return rows.map(toQuota);
  }

  /** The tenant's own row (tenantId null: the cluster's default), or null. */
  async find(clusterId: string, tenantId: string | null): Promise<ClusterQuotaEntity | null> {
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM cluster_quotas WHERE cluster_id = $1 AND ${tenantIs(tenantId)}`,
      tenantId === null ? [clusterId] : [clusterId, tenantId],
    );
    return rows[0] ? toQuota(rows[0]) : null;
  }

  /**
   * Inserts the quota, or replaces the standing one's values (version + 1, created_at kept) in the same statement, so
   * concurrent PUTs of one tenant leave one row. The default's conflict target is its own partial unique index.
   */
  async upsert(quota: ClusterQuotaEntity): Promise<ClusterQuotaEntity> {
    const target = quota.tenantId === null ? `(cluster_id) WHERE tenant_id IS NULL` : `(cluster_id, tenant_id) WHERE tenant_id IS NOT NULL`;
    const rows = await this.db.query<Record<string, unknown>[]>(
      `INSERT INTO cluster_quotas (id, cluster_id, tenant_id, gpus, cpu, memory, weight, cohort, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)
       ON CONFLICT ${target} DO UPDATE
         SET gpus = EXCLUDED.gpus, cpu = EXCLUDED.cpu, memory = EXCLUDED.memory, weight = EXCLUDED.weight,
             cohort = EXCLUDED.cohort, updated_at = EXCLUDED.updated_at, version = cluster_quotas.version + 1
       RETURNING *`,
      [
        quota.id,
        quota.clusterId,
        quota.tenantId,
        JSON.stringify(quota.gpus),
        quota.cpu === null ? null : JSON.stringify(quota.cpu),
        quota.memory === null ? null : JSON.stringify(quota.memory),
        quota.weight,
        quota.cohort,
        quota.updatedAt,
      ],
    );
    return toQuota(rows[0] ?? {});
  }

  /** Deletes the tenant's row (null: the default); false when there was none. */
  async delete(clusterId: string, tenantId: string | null): Promise<boolean> {
    const rows = returnedRows(
      await this.db.query(
        `DELETE FROM cluster_quotas WHERE cluster_id = $1 AND ${tenantIs(tenantId)} RETURNING id`,
        tenantId === null ? [clusterId] : [clusterId, tenantId],
      ),
    );
    return rows.length > 0;
  }

  /**
   * A fingerprint of each listed cluster's quotas (ids and versions), so the owner notices a change another replica
   * made, a delete included; clusters without quotas are absent.
   */
  async fingerprints(clusterIds: readonly string[]): Promise<Map<string, string>> {
    if (clusterIds.length === 0) return new Map();
    const rows = await this.db.query<Array<{ cluster_id: string; fingerprint: string }>>(
      `SELECT cluster_id, string_agg(id::text || ':' || version::text, ',' ORDER BY id) AS fingerprint
         FROM cluster_quotas WHERE cluster_id = ANY($1::uuid[]) GROUP BY cluster_id`,
      [clusterIds],
    );
    return new Map(rows.map((row) => [row.cluster_id, row.fingerprint]));
  }

  /**
   * What the cluster's jobs hold (`holding` statuses) and wait for (`waiting`), grouped by tenant, GPU product and
   * request shape: few rows however many jobs (served by jobs_cluster_status).
   */
  async useOnCluster(
    clusterId: string,
    holding: readonly JobStatus[],
    waiting: readonly JobStatus[],
    tenantId?: string,
  ): Promise<QuotaUseRow[]> {
    const rows = await this.db.query<
      Array<{
        tenant_id: string;
        gpu_type: string | null;
        holding: boolean;
        cpu_request: string | null;
        memory_request: string | null;
        replicas: number;
        gpus: number;
      }>
    >(
      `SELECT tenant_id, gpu_type, holding, cpu_request, memory_request, SUM(replicas)::int AS replicas, SUM(gpus)::int AS gpus
         FROM (SELECT tenant_id,
                      CASE WHEN COALESCE((resources->>'gpu_count')::int, 0) > 0 THEN resources->>'gpu_type' END AS gpu_type,
                      status = ANY($2::text[]) AS holding,
                      resources->>'cpu_request' AS cpu_request,
                      resources->>'memory_request' AS memory_request,
                      GREATEST(COALESCE((resources->>'replicas')::int, 1), 1) AS replicas,
                      COALESCE((resources->>'gpu_count')::int, 0) * GREATEST(COALESCE((resources->>'replicas')::int, 1), 1) AS gpus
                 FROM jobs
                WHERE cluster_id = $1 AND status = ANY($3::text[]) AND ($4::uuid IS NULL OR tenant_id = $4::uuid)) AS active
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2`,
      [clusterId, holding, [...holding, ...waiting], tenantId ?? null],
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      gpuType: row.gpu_type,
      holding: row.holding,
      cpuRequest: row.cpu_request,
      memoryRequest: row.memory_request,
      replicas: row.replicas,
      gpus: row.gpus,
    }));
  }
}
