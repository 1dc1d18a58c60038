import { AppError } from '@bud/errors';
import { isDatabaseUnavailable } from './data-source';

export interface StatementBatcherSettings {
  /** Batches in flight at once; items that arrive meanwhile wait and go together in the next. */
  maxInFlight: number;
  maxItems: number;
  /** Bound on a batch's summed item sizes (an item larger than this goes alone). */
  maxBytes: number;
  /** Items that may wait; past it a submit is refused at once (503) rather than held in memory. */
  maxQueued: number;
}

interface Waiting<I, O> {
  item: I;
  bytes: number;
  resolve(outcome: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit for one kind of statement: while `maxInFlight` batches are running, arriving items queue, and the next
 * run takes them all (within the bounds) as one statement. Nothing waits on a timer: an idle batcher runs an item at
 * once, alone. A batch that fails is retried one item at a time, so an item's error stays its own and the others
 * still commit (a batch is one statement: it commits whole or not at all) — unless the database is unreachable, which
 * fails the whole batch at once.
 */
export class StatementBatcher<I, O> {
  private readonly queue: Array<Waiting<I, O>> = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly sizeOf: (item: I) => number,
    private readonly settings: StatementBatcherSettings,
  ) {}

  submit(item: I): Promise<O> {
    if (this.queue.length >= this.settings.maxQueued)
      return Promise.reject(new AppError('service_unavailable', 'too many writes are waiting for the database; retry shortly'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, bytes: this.sizeOf(item), resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.settings.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.execute(batch).finally(() => {
        this.inFlight--;
        this.next();
      });
    }
  }

  private take(): Array<Waiting<I, O>> {
    const batch = [this.queue.shift() as Waiting<I, O>];
    let bytes = batch[0].bytes;
    while (this.queue.length > 0 && batch.length < this.settings.maxItems && bytes + this.queue[0].bytes <= this.settings.maxBytes) {
      const waiting = this.queue.shift() as Waiting<I, O>;
      bytes += waiting.bytes;
      batch.push(waiting);
    }
    return batch;
  }

  private async execute(batch: Array<Waiting<I, O>>): Promise<void> {
    try {
      const outcomes = await this.run(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, i) => waiting.resolve(outcomes[i]));
    } catch (error) {
      // An unreachable database fails every item alike: retried one by one, each would wait out its own timeout.
      if (batch.length === 1 || isDatabaseUnavailable(error)) return batch.forEach((waiting) => waiting.reject(error));
      for (const waiting of batch) {
        await this.run([waiting.item]).then(
          ([outcome]) => waiting.resolve(outcome),
          (alone: unknown) => waiting.reject(alone),
        );
      }
    }
  }
}
