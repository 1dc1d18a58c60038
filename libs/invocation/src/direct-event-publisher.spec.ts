import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent } from '@bud/contracts';
import { DirectEventPublisher } from './direct-event-publisher';
import { BULK_EVENT_TYPE, MAX_BULK_BODY_BYTES } from './bulk-delivery';
import type { BulkAnswer } from './bulk-delivery';
import type { DeliveryStatus } from './event-publisher';

type Entry = { entryId: string; event: CloudEvent; contentType: string };

/** A subscriber whose answer per event is `verdict(event)`; it records every request. */
class FakeSubscriber {
  readonly requests: Array<{ url: string; body: any; contentType?: string }> = [];
  verdict: (event: CloudEvent) => DeliveryStatus = () => 'SUCCESS';
  answerBulk: (entries: Entry[]) => unknown = (entries) =>
    ({ statuses: entries.map((e) => ({ entryId: e.entryId, status: this.verdict(e.event) })) }) satisfies BulkAnswer;
  private server!: http.Server;
  url = '';

  constructor(private readonly bulk: boolean) {}

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      if (request.method === 'GET') {
        const bulkSubscribe = this.bulk ? { enabled: true, maxMessagesCount: 100 } : undefined;
        response.end(JSON.stringify([{ pubsubname: 'pubsub', topic: 'job-events', route: '/events', bulkSubscribe }]));
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        this.requests.push({ url: request.url!, body, contentType: request.headers['content-type'] });
        response.setHeader('content-type', 'application/json');
        if (!body.entries) {
          const status = this.verdict(body);
          response.statusCode = status === 'RETRY' ? 500 : 200;
          response.end(JSON.stringify({ status }));
          return;
        }
        response.end(JSON.stringify(this.answerBulk(body.entries)));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const event = (id: string, jobId: string, padding = ''): CloudEvent => ({
  specversion: '1.0',
  id,
  source: 'budcluster',
  type: 'bud.job.running',
  data: { job_id: jobId, padding },
});

describe('DirectEventPublisher.publishBatch', () => {
  const bulk = new FakeSubscriber(true);
  const single = new FakeSubscriber(false);
  beforeAll(() => Promise.all([bulk.start(), single.start()]));
  afterAll(() => Promise.all([bulk.stop(), single.stop()]));
  beforeEach(() => {
    for (const s of [bulk, single]) {
      s.requests.length = 0;
      s.verdict = () => 'SUCCESS';
    }
  });

  it("sends a bulk subscriber one envelope in Dapr's shape and answers its statuses in order", async () => {
    bulk.verdict = (e) => (e.id === 'e2' ? 'DROP' : 'SUCCESS');
    const outcomes = await new DirectEventPublisher([bulk.url]).publishBatch('pubsub', 'job-events', [
      event('e1', 'a'),
      event('e2', 'b'),
      event('e3', 'c'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCESS', 'DROP', 'SUCCESS']);
    expect(bulk.requests).toHaveLength(1);
    const [{ url, body, contentType }] = bulk.requests;
    expect(url).toBe('/events');
    expect(contentType).toBe('application/json');
    expect(body).toMatchObject({ type: BULK_EVENT_TYPE, pubsubname: 'pubsub', topic: 'job-events', metadata: {} });
    expect(typeof body.id).toBe('string');
    expect(body.entries).toEqual(
      ['e1', 'e2', 'e3'].map((id, i) => ({
        entryId: String(i),
        event: expect.objectContaining({ id, topic: 'job-events', pubsubname: 'pubsub' }),
        contentType: 'application/cloudevents+json',
        metadata: {},
      })),
    );
  });

  it('answers RETRY for entries the subscriber named RETRY, gave an unknown status or left out', async () => {
    bulk.answerBulk = (entries) => ({
      statuses: [
        { entryId: entries[0].entryId, status: 'RETRY' },
        { entryId: entries[1].entryId, status: 'MAYBE' },
      ],
    });
    const outcomes = await new DirectEventPublisher([bulk.url]).publishBatch('pubsub', 'job-events', [
      event('e1', 'a'),
      event('e2', 'b'),
      event('e3', 'c'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['RETRY', 'RETRY', 'RETRY']);
    expect(outcomes[1].reason).toContain('MAYBE');
    bulk.answerBulk = (entries) => ({ statuses: entries.map((e) => ({ entryId: e.entryId, status: bulk.verdict(e.event) })) });
  });

  it('splits a batch past 1 MiB into bodies under it, holding back a failed subject from the later bodies', async () => {
    const big = 'x'.repeat(400 * 1024);
    bulk.verdict = (e) => (e.id === 'e1' ? 'RETRY' : 'SUCCESS');
    const events = [event('e1', 'a', big), event('e2', 'b', big), event('e3', 'c', big), event('e4', 'a', big), event('e5', 'b', big)];
    const outcomes = await new DirectEventPublisher([bulk.url]).publishBatch('pubsub', 'job-events', events);
    expect(outcomes.map((o) => o.status)).toEqual(['RETRY', 'SUCCESS', 'SUCCESS', 'RETRY', 'SUCCESS']);
    const sent = bulk.requests.map((r) => r.body.entries.map((e: Entry) => e.event.id));
    expect(sent).toEqual([
      ['e1', 'e2'],
      ['e3', 'e5'],
    ]);
    for (const r of bulk.requests) expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThan(MAX_BULK_BODY_BYTES);
  });

  it('falls back to one request per event for a subscriber without bulkSubscribe, keeping each subject in order', async () => {
    single.verdict = (e) => (e.id === 'e2' ? 'RETRY' : 'SUCCESS');
    const events = [event('e1', 'a'), event('e2', 'b'), event('e3', 'a'), event('e4', 'b')];
    const outcomes = await new DirectEventPublisher([single.url]).publishBatch('pubsub', 'job-events', events);
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCESS', 'RETRY', 'SUCCESS', 'RETRY']);
    expect(single.requests.map((r) => r.body.id).sort()).toEqual(['e1', 'e2', 'e3']);
    const ofA = single.requests.map((r) => r.body.id).filter((id) => id === 'e1' || id === 'e3');
    expect(ofA).toEqual(['e1', 'e3']);
  });

  it('delivers to every subscriber and answers an event RETRY when any one of them did', async () => {
    single.verdict = (e) => (e.id === 'e2' ? 'RETRY' : 'SUCCESS');
    bulk.verdict = (e) => (e.id === 'e1' ? 'DROP' : 'SUCCESS');
    const outcomes = await new DirectEventPublisher([bulk.url, single.url]).publishBatch('pubsub', 'job-events', [
      event('e1', 'a'),
      event('e2', 'b'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['DROP', 'RETRY']);
  });

  it('answers every event RETRY when a bulk subscriber cannot be reached', async () => {
    const publisher = new DirectEventPublisher([bulk.url]);
    await publisher.publishBatch('pubsub', 'job-events', [event('e0', 'a')]);
    await bulk.stop();
    try {
      const outcomes = await publisher.publishBatch('pubsub', 'job-events', [event('e1', 'a'), event('e2', 'b')]);
      expect(outcomes.map((o) => o.status)).toEqual(['RETRY', 'RETRY']);
    } finally {
      await bulk.start();
    }
  });
});
