import type { GpuDemand } from './simulated-capacity';

export function asksForGpus(demand: GpuDemand): demand is GpuDemand & { gpuType: string } {
  return demand.gpuType !== null && demand.count > 0;
}

/**
 * Only jobs contending for the same GPU type wait on each other: a new job is admitted at once when it
 * asks for no GPU, or when it fits and nothing of its GPU type is queued before it.
 */
export function admitsAtOnce(demand: GpuDemand, queuedOfItsType: number, freeOfItsType: number): boolean {
  if (!asksForGpus(demand)) return true;
  return queuedOfItsType === 0 && demand.count <= freeOfItsType;
}

/**
 * How many jobs at the head of one GPU type's queue (priority order) fit in what is free. The first that
 * does not fit blocks the rest of its type, so a large high-priority job is not starved by small ones.
 */
export function admissibleHead<T>(queue: readonly T[], gpusOf: (queued: T) => number, free: number): number {
  let left = free;
  let admitted = 0;
  for (const queued of queue) {
    const count = gpusOf(queued);
    if (count > left) break;
    left -= count;
    admitted++;
  }
  return admitted;
}
