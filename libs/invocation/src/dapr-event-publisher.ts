import type { DaprClient } from '@dapr/dapr';
import type { CloudEvent } from '@bud/contracts';
import type { EventPublisher } from './event-publisher';

/** Publishes through the Dapr sidecar; the envelope is ours, so Dapr passes it on unchanged. */
export class DaprEventPublisher implements EventPublisher {
  // The Dapr SDK (with gRPC and its other dependencies) holds ~45 MB resident once loaded; a service
  // started without a sidecar never needs it, so it is loaded with the first publish.
  private client?: Promise<DaprClient>;

  constructor(private readonly daprHttpPort: number) {}

  async publish(pubsubName: string, topic: string, event: CloudEvent): Promise<void> {
    this.client ??= this.connect();
    const response = await (await this.client).pubsub.publish(pubsubName, topic, event, { contentType: 'application/cloudevents+json' });
    if (response.error) throw response.error;
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
