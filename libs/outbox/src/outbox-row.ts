import type { CloudEvent } from '@bud/contracts';

/** A row of a service's `outbox` table (each service creates the table in its own migrations). */
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

/** The DDL every service's migration uses for its outbox, so the relay works on any of them. */
export const OUTBOX_TABLE_DDL = `
  CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pubsub_name text NOT NULL,
    topic text NOT NULL,
    event jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    published_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_until timestamptz,
    last_error text
  )`;
export const OUTBOX_INDEX_DDL = `CREATE INDEX outbox_unpublished ON outbox (next_attempt_at, id) WHERE published_at IS NULL`;
