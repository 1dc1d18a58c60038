import { StatementBatcher } from './statement-batcher';

/** A run that waits until the test releases it, recording each batch it was given. */
function gatedRuns() {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const run = (items: number[]): Promise<string[]> => {
    batches.push(items);
    return new Promise((resolve, reject) => {
      releases.push(() => (items.includes(-1) ? reject(new Error('bad item -1')) : resolve(items.map((i) => `ok ${i}`))));
    });
  };
  return { batches, releases, run };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('StatementBatcher', () => {
  it('runs an item at once, alone, when nothing is in flight', async () => {
    const { batches, releases, run } = gatedRuns();
    const batcher = new StatementBatcher(run, () => 1, { maxInFlight: 1, maxItems: 10, maxBytes: 100, maxQueued: 100 });
    const answer = batcher.submit(1);
    expect(batches).toEqual([[1]]);
    releases[0]();
    await expect(answer).resolves.toBe('ok 1');
  });

  it('sends what arrived while the statements were in flight as one batch, within its bounds', async () => {
    const { batches, releases, run } = gatedRuns();
    const batcher = new StatementBatcher(run, (i) => i, { maxInFlight: 1, maxItems: 3, maxBytes: 10, maxQueued: 100 });
    const answers = [1, 2, 3, 4, 5, 6].map((i) => batcher.submit(i));
    expect(batches).toEqual([[1]]);
    releases[0]();
    await flush();
    expect(batches[1]).toEqual([2, 3, 4]); // maxItems
    releases[1]();
    await flush();
    expect(batches[2]).toEqual([5]); // 5 + 6 > maxBytes
    releases[2]();
    await flush();
    releases[3]();
    await expect(Promise.all(answers)).resolves.toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5', 'ok 6']);
  });

  it('retries a failed batch one item at a time, so only the bad item fails', async () => {
    const { batches, releases, run } = gatedRuns();
    const batcher = new StatementBatcher(run, () => 1, { maxInFlight: 1, maxItems: 10, maxBytes: 100, maxQueued: 100 });
    const first = batcher.submit(1);
    const rest = [2, -1, 3].map((i) => batcher.submit(i).catch((error: Error) => error.message));
    releases[0]();
    await first;
    await flush();
    expect(batches[1]).toEqual([2, -1, 3]);
    releases[1]();
    for (let i = 2; i < 5; i++) {
      await flush();
      releases[i]();
    }
    await expect(Promise.all(rest)).resolves.toEqual(['ok 2', 'bad item -1', 'ok 3']);
    expect(batches.slice(2)).toEqual([[2], [-1], [3]]);
  });

  it('fails a whole batch at once when the database is unreachable, instead of one timeout per item', async () => {
    const batches: number[][] = [];
    const releases: Array<() => void> = [];
    const run = (items: number[]) =>
      new Promise<string[]>((_, reject) => {
        batches.push(items);
        releases.push(() => reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })));
      });
    const batcher = new StatementBatcher(run, () => 1, { maxInFlight: 1, maxItems: 10, maxBytes: 100, maxQueued: 100 });
    const answers = [1, 2, 3].map((i) => batcher.submit(i).catch((error: Error) => error.message));
    releases[0]();
    await flush();
    releases[1]();
    await expect(Promise.all(answers)).resolves.toEqual(['connect ECONNREFUSED', 'connect ECONNREFUSED', 'connect ECONNREFUSED']);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('refuses an item at once (503) when too many are already waiting', async () => {
    const { releases, run } = gatedRuns();
    const batcher = new StatementBatcher(run, () => 1, { maxInFlight: 1, maxItems: 10, maxBytes: 100, maxQueued: 2 });
    const held = [1, 2, 3].map((i) => batcher.submit(i));
    await expect(batcher.submit(4)).rejects.toMatchObject({ code: 'service_unavailable' });
    releases[0]();
    await flush();
    releases[1]();
    await expect(Promise.all(held)).resolves.toEqual(['ok 1', 'ok 2', 'ok 3']);
  });
});
