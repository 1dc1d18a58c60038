import type { DeliveryOutcome } from '@bud/invocation';
import { deliveryFates, retryDelayMs } from './delivery-fates';
import type { OutboxRow } from './outbox-row';

const row = (id: number, subject: Record<string, string>, attempts = 0): OutboxRow => ({
  id: String(id),
  pubsubName: 'pubsub',
  topic: 'job-events',
  event: { specversion: '1.0', id: `e${id}`, source: 'budcluster', type: 't', data: subject },
  createdAt: new Date(0),
  publishedAt: null,
  attempts,
  nextAttemptAt: new Date(0),
  leaseUntil: null,
  lastError: null,
});
const ok: DeliveryOutcome = { status: 'SUCCESS' };
const drop: DeliveryOutcome = { status: 'DROP' };
const retry: DeliveryOutcome = { status: 'RETRY', reason: 'subscriber said RETRY' };

describe('deliveryFates', () => {
  it('publishes SUCCESS and DROP rows', () => {
    const fates = deliveryFates([row(1, { job_id: 'a' }), row(2, { job_id: 'b' })], [ok, drop]);
    expect(fates).toEqual({ published: ['1', '2'], failed: [], deferred: [] });
  });

  it("fails a RETRY row with its back-off and defers the subject's later rows with it, whatever they were answered", () => {
    const rows = [
      row(1, { job_id: 'a' }, 2),
      row(2, { job_id: 'b' }),
      row(3, { job_id: 'a' }),
      row(4, { job_id: 'a' }),
      row(5, { job_id: 'b' }),
    ];
    const fates = deliveryFates(rows, [retry, ok, ok, retry, ok]);
    expect(fates.published).toEqual(['2', '5']);
    expect(fates.failed).toEqual([{ id: '1', error: 'subscriber said RETRY', retryInMs: retryDelayMs(2) }]);
    expect(fates.deferred).toEqual([
      { id: '3', dueInMs: retryDelayMs(2) },
      { id: '4', dueInMs: retryDelayMs(2) },
    ]);
  });

  it('holds back rows of a deployment the same way, and never rows of another subject', () => {
    const rows = [row(1, { deployment_id: 'd' }), row(2, { deployment_id: 'd' }), row(3, { budget_id: 'x' }), row(4, { budget_id: 'x' })];
    const fates = deliveryFates(rows, [ok, retry, retry, ok]);
    expect(fates.published).toEqual(['1', '4']);
    expect(fates.failed.map((f) => f.id)).toEqual(['2', '3']);
    expect(fates.deferred).toEqual([]);
  });

  it('treats a row the publisher gave no outcome for as RETRY', () => {
    const fates = deliveryFates([row(1, { job_id: 'a' }), row(2, { job_id: 'a' })], [ok]);
    expect(fates.published).toEqual(['1']);
    expect(fates.failed).toEqual([{ id: '2', error: 'the publisher gave no outcome for the event', retryInMs: 500 }]);
  });

  it.each([
    [0, 500],
    [1, 1000],
    [7, 60_000],
    [30, 60_000],
  ])('backs off %i earlier attempts by %i ms', (attempts, ms) => {
    expect(retryDelayMs(attempts)).toBe(ms);
  });
});
