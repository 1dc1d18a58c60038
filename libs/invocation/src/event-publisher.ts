import type { CloudEvent } from '@bud/contracts';

/** A subscriber's verdict on one event, in Dapr's words: SUCCESS and DROP are final, RETRY asks for redelivery. */
export type DeliveryStatus = 'SUCCESS' | 'RETRY' | 'DROP';

export interface DeliveryOutcome {
  status: DeliveryStatus;
  /** Why a RETRY was asked for, for the outbox's last_error and the logs. */
  reason?: string;
}

/** Where the outbox relay hands events: Dapr pub/sub in production, direct HTTP in embedded mode. */
export interface EventPublisher {
  /**
   * Delivers `events` of one topic, in their order within each subject (see eventSubject), and answers one
   * outcome per event in the same order. Rejects when nothing could be delivered, so the relay keeps them all.
   */
  publishBatch(pubsubName: string, topic: string, events: CloudEvent[]): Promise<DeliveryOutcome[]>;
}

/** Dapr's bulk subscribe options, as a subscriber declares them in `GET /dapr/subscribe`. */
export interface BulkSubscribeOptions {
  enabled: boolean;
  maxMessagesCount?: number;
  maxAwaitDurationMs?: number;
}

export interface DaprSubscription {
  pubsubname: string;
  topic: string;
  route: string;
  bulkSubscribe?: BulkSubscribeOptions;
}
