import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A namespace budcluster manages on a cluster, and the tenant that owns it (docs/design.md#namespaces). */
@Entity({ name: 'cluster_namespaces' })
export class ClusterNamespaceEntity {
  @PrimaryColumn('uuid', { name: 'cluster_id' }) clusterId!: string;
  @PrimaryColumn('text') name!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('uuid', { name: 'project_id', nullable: true }) projectId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
