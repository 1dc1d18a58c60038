import type { DeliveryOutcome } from './event-publisher';

/**
 * The subject whose events must be applied in order: a job or a deployment. Events without one (budget
 * events) are each their own subject, so undefined here.
 */
export function eventSubject(event: unknown): string | undefined {
  const data = (event as { data?: unknown } | null | undefined)?.data as { job_id?: unknown; deployment_id?: unknown } | null | undefined;
  if (typeof data?.job_id === 'string') return data.job_id;
  if (typeof data?.deployment_id === 'string') return data.deployment_id;
  return undefined;
}

const HELD_BACK: DeliveryOutcome = { status: 'RETRY', reason: 'an earlier event of the same subject was not delivered' };

/**
 * Runs `handle` over `items`: one subject's items one after another in their order, up to `concurrency`
 * subjects at once. From a subject's first RETRY (or throw) on, its later items are answered RETRY without
 * being handled, so nothing of a subject is ever applied past a gap. Outcomes come back in `items`' order.
 */
export async function inSubjectOrder<T>(
  items: readonly T[],
  subjectOf: (item: T, index: number) => string,
  concurrency: number,
  handle: (item: T) => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const subject = subjectOf(item, index);
    const group = groups.get(subject);
    if (group) group.push(index);
    else groups.set(subject, [index]);
  });
  const outcomes = new Array<DeliveryOutcome>(items.length);
  const queue = [...groups.values()];
  const work = async (): Promise<void> => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      let blocked = false;
      for (const index of group) {
        if (blocked) {
          outcomes[index] = HELD_BACK;
          continue;
        }
        try {
          outcomes[index] = await handle(items[index]);
        } catch (error) {
          outcomes[index] = { status: 'RETRY', reason: (error as Error).message };
        }
        blocked = outcomes[index].status === 'RETRY';
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, work));
  return outcomes;
}
