import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { VolumeStatus } from '@bud/contracts';

/** A claim budcluster made for a job; it outlives the job (docs/design.md#volumes). */
@Entity({ name: 'volumes' })
export class VolumeEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'cluster_id' }) clusterId!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') namespace!: string;
  @Column('text', { name: 'claim_name' }) claimName!: string;
  @Column('text', { name: 'volume_name' }) volumeName!: string;
  @Column('text', { name: 'job_name' }) jobName!: string;
  /** The job that last attached it. */
  @Column('uuid', { name: 'job_id', nullable: true }) jobId!: string | null;
  @Column('uuid', { name: 'usecase_deployment_id', nullable: true }) usecaseDeploymentId!: string | null;
  @Column('text', { nullable: true }) component!: string | null;
  @Column('text') size!: string;
  @Column('text') status!: VolumeStatus;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
