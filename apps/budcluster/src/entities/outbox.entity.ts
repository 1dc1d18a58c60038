import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CloudEvent } from '@bud/contracts';

/** Events written in the same transaction as the state change they announce (brief §7.1). */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column('text', { name: 'pubsub_name' }) pubsubName!: string;
  @Column('text') topic!: string;
  @Column('jsonb') event!: CloudEvent;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt!: Date | null;
  @Column('integer') attempts!: number;
  @Column('timestamptz', { name: 'next_attempt_at' }) nextAttemptAt!: Date;
  @Column('timestamptz', { name: 'lease_until', nullable: true }) leaseUntil!: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
}
