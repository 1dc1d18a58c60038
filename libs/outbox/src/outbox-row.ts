import type { CloudEvent } from '@bud/contracts';

/**
 * A row of a service's `outbox` table. Each service creates the table in its own migration with the
 * same columns (see budcluster's and budusecases' initial migrations).
 */
export interface OutboxRow {
  id: string;
  pubsubName: string;
  topic: string;
  event: CloudEvent;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
}
