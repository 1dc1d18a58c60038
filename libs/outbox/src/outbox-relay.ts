import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { EventPublisher } from '@bud/invocation';
import { Logger } from '@bud/logging';
import type { OutboxRow } from './outbox-row';
import { OutboxRepository } from './outbox.repository';

export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');

export interface OutboxRelaySettings {
  pollMs: number;
  leaseMs: number;
  batchSize: number;
}
export const OUTBOX_RELAY_SETTINGS = Symbol('OUTBOX_RELAY_SETTINGS');
const PUBLISH_CONCURRENCY = 16;

/**
 * Publishes outbox rows at least once, a batch at a time (rows in parallel within it). Rows are leased while in flight, so a
 * relay that dies mid-batch leaves them to be published again when the lease runs out.
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
        const delivered: string[] = [];
        // Events of one subject (a job, a deployment) go out in order; different subjects in parallel.
        const groups = [...groupBySubject(batch).values()];
        let next = 0;
        const publishGroups = async (): Promise<void> => {
          while (next < groups.length) {
            const group = groups[next++];
            for (const [index, row] of group.entries()) {
              try {
                await this.publisher.publish(row.pubsubName, row.topic, row.event);
                delivered.push(row.id);
              } catch (error) {
                const retryIn = Math.min(60_000, 500 * 2 ** Math.min(row.attempts, 7));
                await this.outbox.markFailed(row.id, (error as Error).message, retryIn);
                // The rest of this subject becomes due together with the failed row (claims go in id order,
                // so order holds) instead of sitting out the whole lease.
                await this.outbox.defer(
                  group.slice(index + 1).map((later) => later.id),
                  retryIn,
                );
                this.logger.warn('publish failed; will retry', {
                  outbox_id: row.id,
                  topic: row.topic,
                  attempts: row.attempts + 1,
                  retry_in_ms: retryIn,
                  error: (error as Error).message,
                });
                break;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(PUBLISH_CONCURRENCY, groups.length) }, publishGroups));
        await this.outbox.markPublished(delivered);
        this.published += delivered.length;
        if (delivered.length < batch.length) return;
      }
    } catch (error) {
      this.logger.warn('outbox drain interrupted', { error: (error as Error).message });
    }
  }
}

function groupBySubject(rows: OutboxRow[]): Map<string, OutboxRow[]> {
  const groups = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const data = (row.event.data ?? {}) as { job_id?: unknown; deployment_id?: unknown };
    const subject = typeof data.job_id === 'string' ? data.job_id : typeof data.deployment_id === 'string' ? data.deployment_id : row.id;
    const group = groups.get(subject);
    if (group) group.push(row);
    else groups.set(subject, [row]);
  }
  return groups;
}
