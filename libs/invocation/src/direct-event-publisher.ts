import { randomUUID } from 'node:crypto';
import type { ServiceName, ServiceTokens } from '@bud/auth';
import type { CloudEvent } from '@bud/contracts';
import { MAX_BULK_BODY_BYTES, MAX_BULK_ENTRIES, bulkBody, bulkEntryJson } from './bulk-delivery';
import type { BulkAnswer } from './bulk-delivery';
import type { DaprSubscription, DeliveryOutcome, DeliveryStatus, EventPublisher } from './event-publisher';
import { postJson } from './post-json';
import { eventSubject, inSubjectOrder } from './subject-order';

/** Every delivery carries `from`'s service token for `to`: the subscribers are replicas of that one service. */
export interface DeliveryIdentity {
  tokens: ServiceTokens;
  from: ServiceName;
  to: ServiceName;
}

const TOKEN_TTL_SECONDS = 300;
/** A token is reused for a minute at most, so one in flight never expires on the way. */
const TOKEN_REUSE_MS = 60_000;
const DELIVERY_TIMEOUT_MS = 10_000;
/** Subjects delivered at once to a subscriber that takes one event per request. */
const SINGLE_DELIVERY_CONCURRENCY = 16;
const SEVERITY: Record<DeliveryStatus, number> = { SUCCESS: 0, DROP: 1, RETRY: 2 };

/**
 * Embedded-mode pub/sub: asks each subscriber app what it subscribes to (the same `GET /dapr/subscribe`
 * Dapr calls) and POSTs to the route as Dapr would, signed with the sender's service token when `identity`
 * is given: one bulk envelope per batch to a route that declares `bulkSubscribe`, else one CloudEvent per
 * request. An event is delivered when every subscriber took it; a subscriber that is down or answers an error
 * (a 401 included) leaves it RETRY, so the outbox keeps it.
 */
export class DirectEventPublisher implements EventPublisher {
  private readonly subscriptions = new Map<string, Promise<DaprSubscription[]>>();
  private token?: { value: Promise<string>; signedAt: number };

  constructor(
    private readonly subscriberUrls: string[],
    private readonly identity?: DeliveryIdentity,
  ) {}

  async publishBatch(pubsubName: string, topic: string, events: CloudEvent[]): Promise<DeliveryOutcome[]> {
    let outcomes: DeliveryOutcome[] = events.map(() => ({ status: 'SUCCESS' }));
    for (const baseUrl of this.subscriberUrls) {
      const routes = (await this.subscriptionsOf(baseUrl)).filter((s) => s.pubsubname === pubsubName && s.topic === topic);
      for (const subscription of routes) {
        const url = new URL(subscription.route, baseUrl);
        const answers = subscription.bulkSubscribe?.enabled
          ? await this.postBulks(url, pubsubName, topic, events)
          : await this.postEach(url, pubsubName, topic, events);
        outcomes = outcomes.map((outcome, i) => (SEVERITY[answers[i].status] > SEVERITY[outcome.status] ? answers[i] : outcome));
      }
    }
    return outcomes;
  }

  /** As few bulk POSTs as the bounds allow, one after another; a subject that failed in one is held back from the next. */
  private async postBulks(url: URL, pubsubName: string, topic: string, events: CloudEvent[]): Promise<DeliveryOutcome[]> {
    const entries = events.map((event, i) => bulkEntryJson(String(i), event, pubsubName, topic));
    const outcomes = new Array<DeliveryOutcome>(events.length);
    const blocked = new Set<string>();
    const subjectAt = (i: number) => eventSubject(events[i]) ?? `#${i}`;
    for (let start = 0; start < events.length;) {
      const part: number[] = [];
      let bytes = 0;
      let next = start;
      for (; next < events.length && part.length < MAX_BULK_ENTRIES; next++) {
        if (blocked.has(subjectAt(next))) {
          outcomes[next] = { status: 'RETRY', reason: 'an earlier event of the same subject was not delivered' };
          continue;
        }
        if (part.length > 0 && bytes + entries[next].length + 1 > MAX_BULK_BODY_BYTES) break;
        part.push(next);
        bytes += entries[next].length + 1;
      }
      start = next;
      if (part.length === 0) continue;
      const answers = await this.postBulk(
        url,
        pubsubName,
        topic,
        part.map((i) => entries[i]),
        part.map(String),
      );
      part.forEach((i, k) => {
        outcomes[i] = answers[k];
        if (answers[k].status === 'RETRY') blocked.add(subjectAt(i));
      });
    }
    return outcomes;
  }

  private async postBulk(url: URL, pubsubName: string, topic: string, entries: string[], entryIds: string[]): Promise<DeliveryOutcome[]> {
    try {
      const response = await postJson(
        url,
        bulkBody(randomUUID(), pubsubName, topic, entries),
        { 'content-type': 'application/json', ...(await this.authorization()) },
        DELIVERY_TIMEOUT_MS,
      );
      if (response.status < 200 || response.status > 299)
        return entryIds.map(() => ({ status: 'RETRY', reason: `${url.href} answered HTTP ${response.status}` }));
      // As Dapr reads the answer: an entry without a known status is retried.
      const statuses = new Map(((response.body as Partial<BulkAnswer> | undefined)?.statuses ?? []).map((s) => [s?.entryId, s?.status]));
      return entryIds.map((id) => {
        const status = statuses.get(id);
        return status === 'SUCCESS' || status === 'DROP'
          ? { status }
          : { status: 'RETRY', reason: `${url.href} answered ${String(status ?? 'no status')} for the event` };
      });
    } catch (error) {
      return entryIds.map(() => ({ status: 'RETRY', reason: (error as Error).message }));
    }
  }

  private postEach(url: URL, pubsubName: string, topic: string, events: CloudEvent[]): Promise<DeliveryOutcome[]> {
    return inSubjectOrder(
      events,
      (event, i) => eventSubject(event) ?? `#${i}`,
      SINGLE_DELIVERY_CONCURRENCY,
      async (event): Promise<DeliveryOutcome> => {
        const response = await postJson(
          url,
          JSON.stringify({ ...event, topic, pubsubname: pubsubName }),
          { 'content-type': 'application/cloudevents+json', ...(await this.authorization()) },
          DELIVERY_TIMEOUT_MS,
        );
        if (response.status < 200 || response.status > 299)
          return { status: 'RETRY', reason: `${url.href} answered HTTP ${response.status}` };
        const status = (response.body as { status?: unknown } | undefined)?.status ?? 'SUCCESS';
        return status === 'RETRY'
          ? { status: 'RETRY', reason: `${url.href} asked for redelivery` }
          : { status: status === 'DROP' ? 'DROP' : 'SUCCESS' };
      },
    );
  }

  private async authorization(): Promise<Record<string, string>> {
    if (!this.identity) return {};
    if (!this.token || Date.now() - this.token.signedAt > TOKEN_REUSE_MS) {
      const { tokens, from, to } = this.identity;
      this.token = { value: tokens.sign(from, to, { ttlSeconds: TOKEN_TTL_SECONDS }), signedAt: Date.now() };
    }
    return { authorization: `Bearer ${await this.token.value}` };
  }

  private subscriptionsOf(baseUrl: string): Promise<DaprSubscription[]> {
    let cached = this.subscriptions.get(baseUrl);
    if (!cached) {
      cached = fetch(new URL('/dapr/subscribe', baseUrl), { signal: AbortSignal.timeout(5000) }).then(async (r) => {
        if (!r.ok) throw new Error(`GET ${baseUrl}/dapr/subscribe answered ${r.status}`);
        return (await r.json()) as DaprSubscription[];
      });
      // A subscriber that was down must be asked again next time.
      cached.catch(() => this.subscriptions.delete(baseUrl));
      this.subscriptions.set(baseUrl, cached);
    }
    return cached;
  }
}
