import { setTimeout as delay } from 'node:timers/promises';
import type { DeploymentEvent, DeploymentStatus } from '@bud/contracts';
import type { UsecasesApi } from './api/usecases-api';
import { ConnectionError } from './errors';
import { SseParser } from './sse';

export type WaitTarget = 'running' | 'stopped';

/** Statuses from which the deployment will not reach the target without someone acting on it. */
const GIVES_UP: Record<WaitTarget, ReadonlySet<DeploymentStatus>> = {
  running: new Set<DeploymentStatus>(['failed', 'stopping', 'stopped', 'deleting']),
  stopped: new Set<DeploymentStatus>(['deleting']),
};

export type WaitOutcome =
  { kind: 'reached'; status: DeploymentStatus } | { kind: 'gave_up'; status: DeploymentStatus } | { kind: 'timed_out' };

export interface FollowTimings {
  /** Pause before reopening a stream that failed. */
  reconnectMs: number;
  /** How long the stream may go without an event before it is read again from the start. */
  quietMs: number;
}

const DEFAULT_TIMINGS: FollowTimings = { reconnectMs: 1000, quietMs: 3000 };

export interface FollowOptions {
  target: WaitTarget;
  /** Events up to this id are history the caller has seen (or that predate its action). */
  afterEventId: string;
  /** Ids of events the caller has already seen; a resumed stream may send them again and they are skipped. */
  seenEventIds?: Iterable<string>;
  deadline: number;
  onEvent(event: DeploymentEvent): void;
  timings?: Partial<FollowTimings>;
}

/**
 * Follows a deployment's event stream (SSE) until its status reaches the target, gives up, or the
 * deadline passes; each event is reported once. The stream can pass over an event for good: its ids
 * come from a sequence, and a transaction holding a lower id may commit after a higher one was sent.
 * So whenever the stream falls quiet it is read again from `afterEventId`, and events it skipped
 * (the final one included) arrive then, a little late but not lost.
 */
export async function followDeployment(api: UsecasesApi, deploymentId: string, options: FollowOptions): Promise<WaitOutcome> {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const follow = new AbortController();
  const deadlineTimer = setTimeout(() => follow.abort(), Math.max(0, options.deadline - Date.now()));
  const reported = new Set<string>(options.seenEventIds ?? []);
  try {
    while (!follow.signal.aborted) {
      const connection = new AbortController();
      const quiet = new QuietTimer(timings.quietMs, () => connection.abort());
      let outcome: WaitOutcome | undefined;
      quiet.restart();
      try {
        const response = await api.openEventStream(deploymentId, options.afterEventId, AbortSignal.any([follow.signal, connection.signal]));
        for await (const event of deploymentEvents(response)) {
          if (reported.has(event.id)) continue;
          quiet.restart();
          outcome = outcomeOf(event, options.target);
          if (outcome) {
            quiet.stop();
            await reportPassedOver(api, deploymentId, options, event.id, reported, timings.quietMs);
            options.onEvent(event);
            break;
          }
          reported.add(event.id);
          options.onEvent(event);
        }
      } catch (error) {
        // Closing a stream that has failed meanwhile can throw: an outcome already known stands.
        if (!outcome) {
          if (follow.signal.aborted) break;
          // A restarting service drops the stream or refuses a moment; anything else is for the user.
          if (!quiet.fired && !(error instanceof ConnectionError) && !isStreamDrop(error)) throw error;
        }
      } finally {
        quiet.stop();
        connection.abort();
      }
      if (outcome) return outcome;
      if (!quiet.fired) await delay(timings.reconnectMs, undefined, { signal: follow.signal }).catch(() => undefined);
    }
    return { kind: 'timed_out' };
  } finally {
    clearTimeout(deadlineTimer);
    follow.abort();
  }
}

/** Best effort: reads the stream once more up to the final event and reports what it passed over. */
async function reportPassedOver(
  api: UsecasesApi,
  deploymentId: string,
  options: FollowOptions,
  finalEventId: string,
  reported: Set<string>,
  timeoutMs: number,
): Promise<void> {
  try {
    const response = await api.openEventStream(deploymentId, options.afterEventId, AbortSignal.timeout(timeoutMs));
    for await (const event of deploymentEvents(response)) {
      if (event.id === finalEventId) return;
      if (reported.has(event.id)) continue;
      reported.add(event.id);
      options.onEvent(event);
    }
  } catch {
    // the outcome is known already; only a line or two of progress could be missing
  }
}

function outcomeOf(event: DeploymentEvent, target: WaitTarget): WaitOutcome | undefined {
  if (event.type !== 'deployment.status' || !event.status) return undefined;
  const status = event.status as DeploymentStatus;
  if (status === target) return { kind: 'reached', status };
  if (GIVES_UP[target].has(status)) return { kind: 'gave_up', status };
  return undefined;
}

/** Fires when `restart` has not been called for `ms`. */
class QuietTimer {
  fired = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ms: number,
    private readonly onQuiet: () => void,
  ) {}

  restart(): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.fired = true;
      this.onQuiet();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

async function* deploymentEvents(response: Response): AsyncGenerator<DeploymentEvent> {
  if (!response.body) return;
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    for (const message of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
      yield JSON.parse(message.data) as DeploymentEvent;
    }
  }
}

function isStreamDrop(error: unknown): boolean {
  return error instanceof TypeError || (error as { code?: string }).code === 'UND_ERR_SOCKET';
}
