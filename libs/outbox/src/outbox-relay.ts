import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { DeliveryOutcome, EventPublisher } from '@bud/invocation';
import { Logger } from '@bud/logging';
import { deliveryFates } from './delivery-fates';
import type { DeliveryFates } from './delivery-fates';
import type { OutboxRow } from './outbox-row';
import { OutboxRepository } from './outbox.repository';

export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');

export interface OutboxRelaySettings {
  pollMs: number;
  leaseMs: number;
  batchSize: number;
}
export const OUTBOX_RELAY_SETTINGS = Symbol('OUTBOX_RELAY_SETTINGS');

/**
 * Publishes outbox rows at least once, a claim at a time: one batch delivery per topic (the publisher keeps each
 * subject's events in order). Rows are leased while in flight, so a relay that dies mid-batch leaves them to be
 * published again when the lease runs out.
 */
@Injectable()
export class OutboxRelay implements BeforeApplicationShutdown {
  private readonly logger = new Logger('outbox-relay');
  private running = false;
  private draining: Promise<void> | null = null;
  private wakeAgain = false;
  private timer?: NodeJS.Timeout;
  published = 0;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(OUTBOX_RELAY_SETTINGS) private readonly settings: OutboxRelaySettings,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.draining;
  }

  /** Nest closes the app on a signal too: stop before the DataSource is destroyed (TypeOrmModule's shutdown hook). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Called after a commit that wrote outbox rows, so events leave at once instead of on the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.wakeAgain && this.running) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.wake();
      if (this.running) this.schedule();
    }, this.settings.pollMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (!this.running) return;
        const batch = await this.outbox.claim(this.settings.batchSize, this.settings.leaseMs);
        if (batch.length === 0) return;
        const fates = (await Promise.all([...byTopic(batch).values()].map((rows) => this.deliver(rows)))).reduce((all, one) => ({
          published: all.published.concat(one.published),
          failed: all.failed.concat(one.failed),
          deferred: all.deferred.concat(one.deferred),
        }));
        await Promise.all([
          this.outbox.markPublished(fates.published),
          this.outbox.markFailed(fates.failed),
          this.outbox.defer(fates.deferred),
        ]);
        this.published += fates.published.length;
        if (fates.failed.length > 0) this.warnFailed(batch, fates);
        if (fates.published.length < batch.length) return;
      }
    } catch (error) {
      this.logger.warn('outbox drain interrupted', { error: (error as Error).message });
    }
  }

  /** One batch delivery of rows of one topic; a publisher that throws leaves every row RETRY. */
  private async deliver(rows: OutboxRow[]): Promise<DeliveryFates> {
    const { pubsubName, topic } = rows[0];
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await this.publisher.publishBatch(
        pubsubName,
        topic,
        rows.map((row) => row.event),
      );
    } catch (error) {
      outcomes = rows.map(() => ({ status: 'RETRY', reason: (error as Error).message }));
    }
    return deliveryFates(rows, outcomes);
  }

  private warnFailed(batch: OutboxRow[], fates: DeliveryFates): void {
    const first = fates.failed[0];
    const row = batch.find((r) => r.id === first.id);
    this.logger.warn('publish failed; will retry', {
      failed: fates.failed.length,
      deferred: fates.deferred.length,
      outbox_id: first.id,
      topic: row?.topic,
      attempts: (row?.attempts ?? 0) + 1,
      retry_in_ms: first.retryInMs,
      error: first.error,
    });
  }
}

/** Rows by (pub/sub, topic), each list in id order: one batch delivery each. */
function byTopic(rows: OutboxRow[]): Map<string, OutboxRow[]> {
  const groups = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const key = `${row.pubsubName}\u0000${row.topic}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
