import { CommunicationProtocolEnum, DaprClient } from '@dapr/dapr';
import type { CloudEvent } from '@bud/contracts';
import type { EventPublisher } from './event-publisher';

/** Publishes through the Dapr sidecar; the envelope is ours, so Dapr passes it on unchanged. */
export class DaprEventPublisher implements EventPublisher {
  private readonly client: DaprClient;

  constructor(daprHttpPort: number) {
    this.client = new DaprClient({
      daprHost: '127.0.0.1',
      daprPort: String(daprHttpPort),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
    });
  }

  async publish(pubsubName: string, topic: string, event: CloudEvent): Promise<void> {
    const response = await this.client.pubsub.publish(pubsubName, topic, event, { contentType: 'application/cloudevents+json' });
    if (response.error) throw response.error;
  }
}
