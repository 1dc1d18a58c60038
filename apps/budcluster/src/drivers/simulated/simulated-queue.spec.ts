import { admissibleHead, admitsAtOnce } from './simulated-queue';

const gpus = (count: number, gpuType: string | null = 'H100') => ({ gpuType, count });

describe('simulated queue', () => {
  it.each([
    ['CPU-only work while GPU work waits and nothing is free', gpus(0, null), 3, 0, true],
    ['a zero-GPU request that names a type', gpus(0), 3, 0, true],
    ['GPU work of a type nobody waits for, when it fits', gpus(1), 0, 1, true],
    ['GPU work behind queued work of its type, even if it fits', gpus(1), 1, 2, false],
    ['GPU work that does not fit', gpus(2), 0, 1, false],
  ])('admits at once? %s', (_name, demand, queued, free, expected) => {
    expect(admitsAtOnce(demand, queued, free)).toBe(expected);
  });

  it.each([
    ['nothing free', [gpus(1)], 0, 0],
    ['several while they fit', [gpus(1), gpus(1), gpus(1)], 2, 2],
    ['a blocked head holds back smaller jobs of its type', [gpus(4), gpus(1)], 2, 0],
    ['an empty queue', [], 8, 0],
  ])('admits from the head of a type: %s', (_name, queue, free, admitted) => {
    expect(admissibleHead(queue, (demand) => demand.count, free)).toBe(admitted);
  });
});
