import { eventSubject } from '@bud/invocation';
import type { DeliveryOutcome } from '@bud/invocation';
import type { OutboxRow } from './outbox-row';

export interface DeliveryFates {
  /** Taken by every subscriber (SUCCESS or DROP): never sent again. */
  published: string[];
  /** Asked for again (RETRY): the attempt counts and the row backs off. */
  failed: Array<{ id: string; error: string; retryInMs: number }>;
  /** Behind a failed row of the same subject: due together with it, without an attempt counted. */
  deferred: Array<{ id: string; dueInMs: number }>;
}

/** Back-off after a row's n-th failed attempt: 0.5 s doubling, at most a minute. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));
}

/**
 * What becomes of each claimed row given its delivery outcome (`outcomes[i]` for `rows[i]`, rows in id order).
 * From a subject's first RETRY on, its later rows are deferred whatever their own outcome, so a subscriber that
 * applied one past the gap gets it again after the gap is filled; claims go in id order, so order holds.
 */
export function deliveryFates(rows: readonly OutboxRow[], outcomes: readonly (DeliveryOutcome | undefined)[]): DeliveryFates {
  const fates: DeliveryFates = { published: [], failed: [], deferred: [] };
  const heldUntil = new Map<string, number>();
  rows.forEach((row, i) => {
    const subject = eventSubject(row.event) ?? row.id;
    const held = heldUntil.get(subject);
    const outcome = outcomes[i] ?? { status: 'RETRY', reason: 'the publisher gave no outcome for the event' };
    if (held !== undefined) fates.deferred.push({ id: row.id, dueInMs: held });
    else if (outcome.status === 'RETRY') {
      const retryInMs = retryDelayMs(row.attempts);
      fates.failed.push({ id: row.id, error: outcome.reason ?? 'the subscriber asked for redelivery', retryInMs });
      heldUntil.set(subject, retryInMs);
    } else fates.published.push(row.id);
  });
  return fates;
}
