import { AppError } from '@bud/errors';
import type { CloudEvent } from '@bud/contracts';
import { BUDGET_THRESHOLD_EVENT_TYPE } from '@bud/contracts';
import type { BudgetEventsService } from '../services/deployments/budget-events.service';
import type { JobEventsService } from '../services/deployments/job-events.service';
import { JobEventsController } from './job-events.controller';

const jobEvent = (id: string, jobId: string): CloudEvent => ({
  specversion: '1.0',
  id,
  source: 'budcluster',
  type: 'bud.job.running',
  data: { job_id: jobId },
});
const entry = (entryId: string, event: unknown) => ({ entryId, event, contentType: 'application/cloudevents+json', metadata: {} });
const envelope = (entries: unknown[]) => ({
  id: 'b1',
  type: 'com.dapr.event.sent.bulk',
  pubsubname: 'pubsub',
  topic: 'job-events',
  metadata: {},
  entries,
});

describe('JobEventsController', () => {
  let handled: string[];
  let budget: string[];
  let failing: Set<string>;
  let controller: JobEventsController;
  beforeEach(() => {
    handled = [];
    budget = [];
    failing = new Set();
    const events = {
      handle: async (event: CloudEvent) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (failing.has(event.id)) throw new Error(`database down for ${event.id}`);
        handled.push(event.id);
      },
    } as unknown as JobEventsService;
    const budgetEvents = { handle: async (event: CloudEvent) => void budget.push(event.id) } as unknown as BudgetEventsService;
    controller = new JobEventsController(events, budgetEvents);
  });

  it('declares a bulk subscription bounded by the bulk limits', () => {
    expect(controller.subscriptions()).toEqual([
      expect.objectContaining({ topic: 'job-events', bulkSubscribe: { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 50 } }),
    ]);
  });

  it('still takes one CloudEvent per request, dropping a malformed one', async () => {
    expect(await controller.receive(jobEvent('e1', 'a'))).toEqual({ status: 'SUCCESS' });
    expect(await controller.receive({ specversion: '1.0', id: 'no-source' })).toEqual({ status: 'DROP' });
    expect(handled).toEqual(['e1']);
  });

  it('answers a bulk entry by entry: malformed events DROP, budget events to their service, entries without an id left out', async () => {
    const budgetEvent = { ...jobEvent('b1', 'x'), type: BUDGET_THRESHOLD_EVENT_TYPE, data: { budget_id: 'x' } };
    const answer = await controller.receive(
      envelope([
        entry('1', jobEvent('e1', 'a')),
        entry('2', { not: 'an event' }),
        entry('3', budgetEvent),
        { event: jobEvent('e9', 'z') },
        'junk',
        entry('4', JSON.stringify(jobEvent('e4', 'b'))),
      ]),
    );
    expect(answer).toEqual({
      statuses: [
        { entryId: '1', status: 'SUCCESS' },
        { entryId: '2', status: 'DROP' },
        { entryId: '3', status: 'SUCCESS' },
        { entryId: '4', status: 'SUCCESS' },
      ],
    });
    expect(handled.sort()).toEqual(['e1', 'e4']);
    expect(budget).toEqual(['b1']);
  });

  it("answers RETRY from a job's first failed event on, without applying its later events, while other jobs go on", async () => {
    failing.add('a2');
    const answer = await controller.receive(
      envelope([
        entry('1', jobEvent('a1', 'a')),
        entry('2', jobEvent('a2', 'a')),
        entry('3', jobEvent('b1', 'b')),
        entry('4', jobEvent('a3', 'a')),
        entry('5', jobEvent('b2', 'b')),
      ]),
    );
    expect(answer).toEqual({
      statuses: [
        { entryId: '1', status: 'SUCCESS' },
        { entryId: '2', status: 'RETRY' },
        { entryId: '3', status: 'SUCCESS' },
        { entryId: '4', status: 'RETRY' },
        { entryId: '5', status: 'SUCCESS' },
      ],
    });
    expect(handled.filter((id) => id.startsWith('a'))).toEqual(['a1']);
    expect(handled.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
  });

  it('refuses a bulk past 100 entries, or whose entries are not a list, as a validation error naming entries', async () => {
    for (const entries of [Array.from({ length: 101 }, (_, i) => entry(String(i), jobEvent(`e${i}`, 'a'))), { 0: 'x' }]) {
      const refusal = await controller.receive({ ...envelope([]), entries }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'entries' })] });
    }
    expect(handled).toEqual([]);
  });
});
