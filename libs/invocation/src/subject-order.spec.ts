import { eventSubject, inSubjectOrder } from './subject-order';
import type { DeliveryOutcome } from './event-publisher';

interface Item {
  subject: string;
  name: string;
  answer?: DeliveryOutcome['status'] | 'throw';
}
const item = (subject: string, name: string, answer?: Item['answer']): Item => ({ subject, name, answer });

describe('eventSubject', () => {
  it.each([
    ['a job event', { data: { job_id: 'j1', deployment_id: 'd1' } }, 'j1'],
    ['a deployment event', { data: { deployment_id: 'd1' } }, 'd1'],
    ['a budget event', { data: { budget_id: 'b1' } }, undefined],
    ['an event without data', { data: null }, undefined],
    ['not an event', 'text', undefined],
  ])('names the subject of %s', (_what, event, subject) => {
    expect(eventSubject(event)).toBe(subject);
  });
});

describe('inSubjectOrder', () => {
  const run = async (items: Item[], concurrency = 4) => {
    const handled: string[] = [];
    const outcomes = await inSubjectOrder(
      items,
      (i) => i.subject,
      concurrency,
      async (i): Promise<DeliveryOutcome> => {
        handled.push(i.name);
        await new Promise((resolve) => setImmediate(resolve));
        if (i.answer === 'throw') throw new Error(`${i.name} broke`);
        return { status: i.answer ?? 'SUCCESS' };
      },
    );
    return { handled, statuses: outcomes.map((o) => o.status), outcomes };
  };

  it("handles each subject's items in their order, subjects side by side", async () => {
    const { handled, statuses } = await run([item('a', 'a1'), item('b', 'b1'), item('a', 'a2'), item('b', 'b2'), item('a', 'a3')]);
    expect(statuses).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(handled.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(handled.filter((n) => n.startsWith('b'))).toEqual(['b1', 'b2']);
    // Both subjects started before either finished: they ran side by side.
    expect(handled.slice(0, 2).sort()).toEqual(['a1', 'b1']);
  });

  it("answers RETRY, unhandled, for a subject's items after its first RETRY, and leaves other subjects alone", async () => {
    const { handled, statuses, outcomes } = await run([
      item('a', 'a1'),
      item('a', 'a2', 'RETRY'),
      item('b', 'b1'),
      item('a', 'a3'),
      item('b', 'b2'),
    ]);
    expect(statuses).toEqual(['SUCCESS', 'RETRY', 'SUCCESS', 'RETRY', 'SUCCESS']);
    expect(handled).not.toContain('a3');
    expect(outcomes[3].reason).toContain('earlier event');
  });

  it('treats a throw as RETRY with its message, and a DROP as taken (the subject goes on)', async () => {
    const { statuses, outcomes, handled } = await run(
      [item('a', 'a1', 'DROP'), item('a', 'a2'), item('b', 'b1', 'throw'), item('b', 'b2')],
      1,
    );
    expect(statuses).toEqual(['DROP', 'SUCCESS', 'RETRY', 'RETRY']);
    expect(outcomes[2].reason).toBe('b1 broke');
    expect(handled).toEqual(['a1', 'a2', 'b1']);
  });

  it('answers nothing for nothing', async () => {
    expect((await run([])).statuses).toEqual([]);
  });
});
