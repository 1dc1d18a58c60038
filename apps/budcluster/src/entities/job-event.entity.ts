import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { JobStatus } from '@bud/contracts';

@Entity({ name: 'job_events' })
export class JobEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'job_id' }) jobId!: string;
  @Column('text', { name: 'from_status', nullable: true }) fromStatus!: JobStatus | null;
  @Column('text', { name: 'to_status' }) toStatus!: JobStatus;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { nullable: true }) message!: string | null;
  @Column('integer', { name: 'job_version' }) jobVersion!: number;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
}
