import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ClusterIsolation, ClusterStatus, ClusterType, GpuInventory, PriceTable, SimulatedSettings } from '@bud/contracts';

@Entity({ name: 'clusters' })
export class ClusterEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') type!: ClusterType;
  @Column('uuid', { name: 'tenant_id', nullable: true }) tenantId!: string | null;
  @Column('text') status!: ClusterStatus;
  @Column('text', { name: 'status_message', nullable: true }) statusMessage!: string | null;
  @Column('text', { name: 'ingress_url', nullable: true }) ingressUrl!: string | null;
  @Column('jsonb', { name: 'gpu_inventory' }) gpuInventory!: GpuInventory;
  @Column('jsonb', { name: 'price_table' }) priceTable!: PriceTable;
  @Column('jsonb', { nullable: true }) settings!: SimulatedSettings | null;
  /** docs/design.md#namespaces; null: the defaults. */
  @Column('jsonb', { nullable: true }) isolation!: ClusterIsolation | null;
  /** AES-256-GCM ciphertext; never leaves the service. */
  @Column('text', { name: 'kubeconfig_encrypted', nullable: true }) kubeconfigEncrypted!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('integer') version!: number;
}
