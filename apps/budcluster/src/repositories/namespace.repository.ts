import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { mapRow } from '@bud/database';
import type { ClusterNamespaceEntity } from '../entities';

/** The namespaces budcluster manages on each cluster and the tenant that owns each (docs/design.md#namespaces). */
@Injectable()
export class NamespaceRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(clusterId: string, name: string): Promise<ClusterNamespaceEntity | null> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM cluster_namespaces WHERE cluster_id = $1 AND name = $2`, [
      clusterId,
      name,
    ]);
    return rows[0] ? mapRow<ClusterNamespaceEntity>(rows[0]) : null;
  }

  /**
   * Records the namespace as the tenant's unless someone recorded it first, and returns the row that stands: the
   * loser of a race between two tenants reads the winner's.
   */
  async claim(row: ClusterNamespaceEntity): Promise<ClusterNamespaceEntity> {
    const inserted = await this.db.query<Record<string, unknown>[]>(
      `INSERT INTO cluster_namespaces (cluster_id, name, tenant_id, project_id, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (cluster_id, name) DO NOTHING RETURNING *`,
      [row.clusterId, row.name, row.tenantId, row.projectId, row.createdAt],
    );
    if (inserted[0]) return mapRow<ClusterNamespaceEntity>(inserted[0]);
    const standing = await this.find(row.clusterId, row.name);
    // Deleted between the two statements: nobody owns it now, and the caller's claim is the one to record.
    return standing ?? this.claim(row);
  }

  /** A page of one tenant's namespaces on the cluster, by name (served by the index on cluster_id, tenant_id, name). */
  async listOfTenant(
    clusterId: string,
    tenantId: string,
    page: number,
    pageSize: number,
  ): Promise<{ items: ClusterNamespaceEntity[]; total: number }> {
    const [count] = await this.db.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM cluster_namespaces WHERE cluster_id = $1 AND tenant_id = $2`,
      [clusterId, tenantId],
    );
    const rows = await this.db.query<Record<string, unknown>[]>(
      `SELECT * FROM cluster_namespaces WHERE cluster_id = $1 AND tenant_id = $2 ORDER BY name LIMIT $3 OFFSET $4`,
      [clusterId, tenantId, pageSize, (page - 1) * pageSize],
    );
    return { items: rows.map((row) => mapRow<ClusterNamespaceEntity>(row)), total: count?.total ?? 0 };
  }

  /** Every managed namespace of the cluster, for rendering its isolation again. */
  async listOfCluster(clusterId: string): Promise<ClusterNamespaceEntity[]> {
    const rows = await this.db.query<Record<string, unknown>[]>(`SELECT * FROM cluster_namespaces WHERE cluster_id = $1 ORDER BY name`, [
      clusterId,
    ]);
    return rows.map((row) => mapRow<ClusterNamespaceEntity>(row));
  }

  async delete(clusterId: string, name: string): Promise<void> {
    await this.db.query(`DELETE FROM cluster_namespaces WHERE cluster_id = $1 AND name = $2`, [clusterId, name]);
  }
}
