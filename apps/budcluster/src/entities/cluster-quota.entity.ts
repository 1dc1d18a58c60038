import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A GPU product's share as stored: nominal GPUs and the borrowing limit (null: all the cohort lends). */
export interface StoredGpuQuota {
  nominal: number;
  borrowing_limit: number | null;
}

/** A CPU or memory share as stored: Kubernetes quantity strings. */
export interface StoredQuantityQuota {
  nominal: string;
  borrowing_limit: string | null;
}

/** A tenant's quota on a cluster; tenant_id null is the cluster's default quota (docs/design.md#quotas). */
@Entity({ name: 'cluster_quotas' })
export class ClusterQuotaEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'cluster_id' }) clusterId!: string;
  @Column('uuid', { name: 'tenant_id', nullable: true }) tenantId!: string | null;
  @Column('jsonb') gpus!: Record<string, StoredGpuQuota>;
  @Column('jsonb', { nullable: true }) cpu!: StoredQuantityQuota | null;
  @Column('jsonb', { nullable: true }) memory!: StoredQuantityQuota | null;
  /** numeric: PostgreSQL hands it back as a string; the repository converts it. */
  @Column('numeric') weight!: number;
  @Column('boolean') cohort!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('integer') version!: number;
}
