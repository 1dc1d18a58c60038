import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CloudEvent } from '@bud/contracts';
import { managerOf, mapRow, poolQuery } from '@bud/database';
import type { Tx } from '@bud/database';
import type { OutboxRow } from './outbox-row';

@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Called inside the transaction that makes the state change the event announces. */
  async add(tx: Tx, pubsubName: string, topic: string, event: CloudEvent, now: Date): Promise<void> {
    await managerOf(tx).query(`INSERT INTO outbox (pubsub_name, topic, event, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)`, [
      pubsubName,
      topic,
      event,
      now,
    ]);
  }

  /** Leases a batch so a second relay (or this one after a crash) skips it until the lease ends. */
  async claim(limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const rows = await poolQuery(
      this.db,
      `UPDATE outbox SET lease_until = now() + ($2 || ' milliseconds')::interval
        WHERE id IN (
          SELECT id FROM outbox
           WHERE published_at IS NULL AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [limit, String(leaseMs)],
    );
    return rows.map((row) => mapRow<OutboxRow>(row)).sort((a, b) => Number(a.id) - Number(b.id));
  }

  async markPublished(ids: string[]): Promise<void> {
    if (ids.length > 0)
      await poolQuery(this.db, `UPDATE outbox SET published_at = now(), lease_until = NULL WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /** Releases rows unpublished, each due again after its `dueInMs`, without counting an attempt. */
  async defer(rows: Array<{ id: string; dueInMs: number }>): Promise<void> {
    if (rows.length > 0)
      await poolQuery(
        this.db,
        `UPDATE outbox o SET lease_until = NULL, next_attempt_at = now() + d.due_ms * interval '1 millisecond'
           FROM unnest($1::bigint[], $2::int[]) AS d(id, due_ms) WHERE o.id = d.id`,
        [rows.map((r) => r.id), rows.map((r) => r.dueInMs)],
      );
  }

  /** Releases rows whose delivery failed, counting the attempt, each due again after its `retryInMs`. */
  async markFailed(rows: Array<{ id: string; error: string; retryInMs: number }>): Promise<void> {
    if (rows.length > 0)
      await poolQuery(
        this.db,
        `UPDATE outbox o SET attempts = o.attempts + 1, last_error = f.error, lease_until = NULL,
                next_attempt_at = now() + f.retry_ms * interval '1 millisecond'
           FROM unnest($1::bigint[], $2::text[], $3::int[]) AS f(id, error, retry_ms) WHERE o.id = f.id`,
        [rows.map((r) => r.id), rows.map((r) => r.error.slice(0, 2000)), rows.map((r) => r.retryInMs)],
      );
  }
}
