import type { CloudEvent } from '@bud/contracts';

/** Where the outbox relay hands events: Dapr pub/sub in production, direct HTTP in embedded mode. */
export interface EventPublisher {
  /** Resolves once the event is accepted; rejects so the relay keeps it and retries. */
  publish(pubsubName: string, topic: string, event: CloudEvent): Promise<void>;
}

export interface DaprSubscription {
  pubsubname: string;
  topic: string;
  route: string;
}
