import type { Clock } from '@bud/ports';
import type { ClusterReachability } from '../../domain/namespace-model';
import type { DriverLogger } from './watch-event-handler';

/** Consecutive failed probes before a cluster is reported unreachable: one lost request is no outage. */
export const FAILURES_BEFORE_UNREACHABLE = 2;

export interface ProbeState {
  failures: number;
  /** What was last reported; undefined before the first report. */
  reported: ClusterReachability | undefined;
}

export const initialProbeState: ProbeState = { failures: 0, reported: undefined };

/**
 * One probe's outcome applied to the state (docs/design.md#cluster-status): the first success reports reachable
 * (also after a restart, whatever the row said before); the second consecutive failure reports unreachable with its
 * error, and a later failure with a different error reports that one. Nothing else is reported.
 */
export function nextProbeState(
  state: ProbeState,
  outcome: { ok: true } | { ok: false; error: string },
): { state: ProbeState; report?: ClusterReachability } {
  if (outcome.ok) {
    const report = state.reported?.reachable === true ? undefined : { reachable: true, message: null };
    return { state: { failures: 0, reported: report ?? state.reported }, ...(report ? { report } : {}) };
  }
  const failures = state.failures + 1;
  const unreachable = { reachable: false, message: outcome.error };
  const due = failures >= FAILURES_BEFORE_UNREACHABLE && (state.reported?.reachable !== false || state.reported.message !== outcome.error);
  return due ? { state: { failures, reported: unreachable }, report: unreachable } : { state: { failures, reported: state.reported } };
}

export interface ClusterProbeDeps {
  clusterId: string;
  intervalMs: number;
  /** A probe that has not answered by then counts as failed. */
  timeoutMs: number;
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Resolves when the API server answers; rejects with why it does not. */
  check(): Promise<void>;
  report(reachability: ClusterReachability): Promise<void>;
  logger: DriverLogger;
}

/** Asks the cluster's API server every intervalMs whether it answers, and reports changes of reachability. */
export class ClusterProbe {
  private state = initialProbeState;
  private timer: unknown;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ClusterProbeDeps) {}

  /** Probes at once, then every intervalMs after each probe ends (never two at a time). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.probe();
    }, delayMs);
  }

  private async probe(): Promise<void> {
    const outcome = await this.checkWithin().then(
      () => ({ ok: true as const }),
      (err: unknown) => ({ ok: false as const, error: describe(err) }),
    );
    if (!this.running) return;
    const next = nextProbeState(this.state, outcome);
    this.state = next.state;
    if (!outcome.ok)
      this.deps.logger.debug('cluster probe failed', {
        cluster_id: this.deps.clusterId,
        failures: next.state.failures,
        error: outcome.error,
      });
    if (next.report) {
      await this.deps
        .report(next.report)
        .catch((err: unknown) =>
          this.deps.logger.warn('recording cluster reachability failed', { cluster_id: this.deps.clusterId, error: describe(err) }),
        );
    }
    if (this.running) this.schedule(this.deps.intervalMs);
  }

  private checkWithin(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.deps.clock.setTimeout(
        () => reject(new Error(`the API server did not answer within ${this.deps.timeoutMs} ms`)),
        this.deps.timeoutMs,
      );
      this.deps.check().then(
        () => {
          this.deps.clock.clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          this.deps.clock.clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch failures hide the socket error (ECONNREFUSED, a TLS failure) in `cause`.
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error && !err.message.includes(cause.message) ? `${err.message}: ${cause.message}` : err.message;
}
