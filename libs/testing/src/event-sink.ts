import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent } from '@bud/contracts';

/**
 * A subscriber app for tests: answers `GET /dapr/subscribe` and records CloudEvents POSTed to its
 * route, exactly the contract Dapr (or our direct transport) uses. `delayMs` slows acknowledgements.
 */
export class TestEventSubscriber {
  readonly received: CloudEvent[] = [];
  delayMs = 0;
  failNext = 0;
  /** Deliveries that arrived, acknowledged or not yet (a slow subscriber holds them for delayMs). */
  arrivals = 0;
  private server?: http.Server;
  url = '';

  constructor(private readonly topics: string[]) {}

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/dapr/subscribe') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(this.topics.map((topic) => ({ pubsubname: 'pubsub', topic, route: `/events/${topic}` }))));
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.arrivals++;
        const answer = () => {
          if (this.failNext > 0) {
            this.failNext--;
            response.statusCode = 500;
            response.end();
            return;
          }
          this.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CloudEvent);
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ status: 'SUCCESS' }));
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
