import type { ObservedStatus } from '../../domain/job-model';
import type { StatusSink } from '../cluster-driver';
import type { DriverLogger } from './watch-event-handler';

/** Hands reports to the sink one at a time and in order; a failing sink never breaks the chain. */
export class SerialReporter {
  private sink: StatusSink | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly clusterId: string,
    private readonly logger: DriverLogger,
  ) {}

  attach(sink: StatusSink): void {
    this.sink = sink;
  }

  report(observed: ObservedStatus): void {
    const sink = this.sink;
    if (!sink) return;
    this.chain = this.chain.then(async () => {
      try {
        await sink(observed);
      } catch (err) {
        this.logger.warn('status sink failed', { cluster_id: this.clusterId, job_id: observed.jobId, error: String(err) });
      }
    });
  }

  /** Resolves once every report made so far has been handed over. */
  drained(): Promise<void> {
    return this.chain;
  }
}
