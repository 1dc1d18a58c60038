import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent } from '@bud/contracts';
import { MAX_BULK_ENTRIES, eventSubject, inSubjectOrder, isBulkEnvelope, readBulkEntries } from '@bud/invocation';
import type { BulkAnswer, BulkEntry, DeliveryOutcome } from '@bud/invocation';

/**
 * A subscriber app for tests: answers `GET /dapr/subscribe` and records CloudEvents POSTed to its route, exactly
 * the contract Dapr (or our direct transport) uses: one CloudEvent per request, or a bulk envelope when `bulk`
 * (declared as `bulkSubscribe`, the default). Per event: `delayMs` slows its acknowledgement, `failNext` fails it
 * (and, in a bulk, the later events of its subject, as a subscriber keeping order does).
 */
export class TestEventSubscriber {
  readonly received: CloudEvent[] = [];
  delayMs = 0;
  failNext = 0;
  /** Events that arrived, acknowledged or not yet (a slow subscriber holds them for delayMs). */
  arrivals = 0;
  /** Requests that carried them. */
  deliveries = 0;
  private server?: http.Server;
  url = '';

  constructor(
    private readonly topics: string[],
    private readonly options: { bulk?: boolean } = {},
  ) {}

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/dapr/subscribe') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(this.topics.map((topic) => this.subscription(topic))));
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        this.deliveries++;
        const answer = isBulkEnvelope(body) ? () => this.answerBulk(body, response) : () => this.answerOne(body as CloudEvent, response);
        this.arrivals += isBulkEnvelope(body) && Array.isArray(body.entries) ? body.entries.length : 1;
        if (this.delayMs > 0) setTimeout(() => void answer(), this.delayMs);
        else void answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private subscription(topic: string) {
    const bulkSubscribe =
      this.options.bulk === false ? undefined : { enabled: true, maxMessagesCount: MAX_BULK_ENTRIES, maxAwaitDurationMs: 50 };
    return { pubsubname: 'pubsub', topic, route: `/events/${topic}`, bulkSubscribe };
  }

  private take(event: CloudEvent): DeliveryOutcome {
    if (this.failNext > 0) {
      this.failNext--;
      return { status: 'RETRY' };
    }
    this.received.push(event);
    return { status: 'SUCCESS' };
  }

  private answerOne(event: CloudEvent, response: http.ServerResponse): void {
    if (this.take(event).status === 'RETRY') {
      response.statusCode = 500;
      response.end();
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ status: 'SUCCESS' }));
  }

  private async answerBulk(body: { entries: unknown }, response: http.ServerResponse): Promise<void> {
    let entries: BulkEntry[];
    try {
      entries = readBulkEntries(body);
    } catch {
      response.statusCode = 422;
      response.end();
      return;
    }
    const outcomes = await inSubjectOrder(
      entries,
      (entry) => eventSubject(entry.event as CloudEvent) ?? entry.entryId,
      1,
      async (entry) => this.take(entry.event as CloudEvent),
    );
    const answer: BulkAnswer = { statuses: entries.map((entry, i) => ({ entryId: entry.entryId, status: outcomes[i].status })) };
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(answer));
  }
}
