import type { CloudEvent } from '@bud/contracts';
import type { DeliveryOutcome, EventPublisher } from '@bud/invocation';
import { OutboxRelay } from './outbox-relay';
import type { OutboxRow } from './outbox-row';
import type { OutboxRepository } from './outbox.repository';

const row = (id: number, topic: string, jobId: string): OutboxRow => ({
  id: String(id),
  pubsubName: 'pubsub',
  topic,
  event: { specversion: '1.0', id: `e${id}`, source: 'test', type: 't', data: { job_id: jobId } },
  createdAt: new Date(0),
  publishedAt: null,
  attempts: 0,
  nextAttemptAt: new Date(0),
  leaseUntil: null,
  lastError: null,
});

/** An outbox in memory: claims hand out `due` once, and the relay's verdicts are recorded. */
function fakeOutbox(due: OutboxRow[]) {
  const record = { published: [] as string[], failed: [] as Array<{ id: string; error: string }>, deferred: [] as string[] };
  let claimed = false;
  const repository = {
    claim: async () => (claimed ? [] : ((claimed = true), due)),
    markPublished: async (ids: string[]) => void record.published.push(...ids),
    markFailed: async (rows: Array<{ id: string; error: string }>) =>
      void record.failed.push(...rows.map(({ id, error }) => ({ id, error }))),
    defer: async (rows: Array<{ id: string }>) => void record.deferred.push(...rows.map((r) => r.id)),
  } as unknown as OutboxRepository;
  return { repository, record };
}

async function relayOnce(due: OutboxRow[], publishBatch: EventPublisher['publishBatch']) {
  const { repository, record } = fakeOutbox(due);
  const batches: Array<{ topic: string; ids: string[] }> = [];
  const publisher: EventPublisher = {
    publishBatch: async (pubsub, topic, events: CloudEvent[]) => {
      batches.push({ topic, ids: events.map((e) => e.id) });
      return publishBatch(pubsub, topic, events);
    },
  };
  const relay = new OutboxRelay(repository, publisher, { pollMs: 60_000, leaseMs: 60_000, batchSize: 100 });
  relay.start();
  await relay.stop();
  return { record, batches, published: relay.published };
}

describe('OutboxRelay', () => {
  it('sends one batch per topic of a claim, each in id order, and marks what each event became', async () => {
    const due = [row(1, 'job-events', 'a'), row(2, 'other', 'x'), row(3, 'job-events', 'b'), row(4, 'job-events', 'a')];
    const answers: Record<string, DeliveryOutcome> = { e3: { status: 'RETRY', reason: 'busy' }, e2: { status: 'DROP' } };
    const { record, batches, published } = await relayOnce(due, async (_p, _t, events) =>
      events.map((e) => answers[e.id] ?? { status: 'SUCCESS' }),
    );
    expect(batches).toEqual([
      { topic: 'job-events', ids: ['e1', 'e3', 'e4'] },
      { topic: 'other', ids: ['e2'] },
    ]);
    expect(record.published.sort()).toEqual(['1', '2', '4']);
    expect(record.failed).toEqual([{ id: '3', error: 'busy' }]);
    expect(published).toBe(3);
  });

  it('keeps every row of a batch whose delivery failed whole: the first of each subject failed, the rest deferred', async () => {
    const due = [row(1, 'job-events', 'a'), row(2, 'job-events', 'b'), row(3, 'job-events', 'a')];
    const { record } = await relayOnce(due, async () => {
      throw new Error('subscriber unreachable');
    });
    expect(record.published).toEqual([]);
    expect(record.failed).toEqual([
      { id: '1', error: 'subscriber unreachable' },
      { id: '2', error: 'subscriber unreachable' },
    ]);
    expect(record.deferred).toEqual(['3']);
  });
});
