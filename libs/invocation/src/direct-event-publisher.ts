import type { ServiceName, ServiceTokens } from '@bud/auth';
import type { CloudEvent } from '@bud/contracts';
import type { DaprSubscription, EventPublisher } from './event-publisher';
import { postJson } from './post-json';

/** Every delivery carries `from`'s service token for `to`: the subscribers are replicas of that one service. */
export interface DeliveryIdentity {
  tokens: ServiceTokens;
  from: ServiceName;
  to: ServiceName;
}

const TOKEN_TTL_SECONDS = 300;
/** A token is reused for a minute at most, so one in flight never expires on the way. */
const TOKEN_REUSE_MS = 60_000;

/**
 * Embedded-mode pub/sub: asks each subscriber app what it subscribes to (the same `GET /dapr/subscribe`
 * Dapr calls) and POSTs the CloudEvent to the route, as Dapr would, signed with the sender's service
 * token when `identity` is given. A subscriber that is down or answers an error (a 401 included) fails
 * the publish, so the outbox keeps the event and retries.
 */
export class DirectEventPublisher implements EventPublisher {
  private readonly subscriptions = new Map<string, Promise<DaprSubscription[]>>();
  private token?: { value: Promise<string>; signedAt: number };

  constructor(
    private readonly subscriberUrls: string[],
    private readonly identity?: DeliveryIdentity,
  ) {}

  async publish(pubsubName: string, topic: string, event: CloudEvent): Promise<void> {
    for (const baseUrl of this.subscriberUrls) {
      const routes = (await this.subscriptionsOf(baseUrl)).filter((s) => s.pubsubname === pubsubName && s.topic === topic);
      for (const { route } of routes) {
        const response = await postJson(
          new URL(route, baseUrl),
          JSON.stringify({ ...event, topic, pubsubname: pubsubName }),
          { 'content-type': 'application/cloudevents+json', ...(await this.authorization()) },
          10_000,
        );
        const ok = response.status >= 200 && response.status < 300;
        const status = ok ? ((response.body as { status?: unknown } | undefined)?.status ?? 'SUCCESS') : 'RETRY';
        if (status === 'RETRY') throw new Error(`subscriber ${baseUrl}${route} asked for redelivery (HTTP ${response.status})`);
      }
    }
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
