import type { DaprClient } from '@dapr/dapr';
import type { CloudEvent } from '@bud/contracts';
import type { DeliveryOutcome, EventPublisher } from './event-publisher';
import { eventSubject, inSubjectOrder } from './subject-order';

/** Subjects published at once through the sidecar. */
const PUBLISH_CONCURRENCY = 16;

/**
 * Publishes through the Dapr sidecar; the envelope is ours, so Dapr passes it on unchanged. One publish per event:
 * Dapr's bulk publish (alpha) gives no order, and on a broker without native bulk publish (Redis Streams among
 * them) the sidecar publishes the entries in parallel anyway, so a batch's events of one subject could land out of
 * order. The sidecar batches the other side: subscribers that declare bulkSubscribe get bulk deliveries.
 */
export class DaprEventPublisher implements EventPublisher {
  // The Dapr SDK (with gRPC and its other dependencies) holds ~45 MB resident once loaded; a service
  // started without a sidecar never needs it, so it is loaded with the first publish.
  private client?: Promise<DaprClient>;

  constructor(private readonly daprHttpPort: number) {}

  publishBatch(pubsubName: string, topic: string, events: CloudEvent[]): Promise<DeliveryOutcome[]> {
    return inSubjectOrder(
      events,
      (event, i) => eventSubject(event) ?? `#${i}`,
      PUBLISH_CONCURRENCY,
      async (event): Promise<DeliveryOutcome> => {
        this.client ??= this.connect();
        const response = await (
          await this.client
        ).pubsub.publish(pubsubName, topic, event, { contentType: 'application/cloudevents+json' });
        if (response.error) throw response.error;
        return { status: 'SUCCESS' };
      },
    );
  }

  private async connect(): Promise<DaprClient> {
    const { CommunicationProtocolEnum, DaprClient } = await import('@dapr/dapr');
    return new DaprClient({
      daprHost: '127.0.0.1',
      daprPort: String(this.daprHttpPort),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
    });
  }
}
