import type { GpuInventory } from '@bud/contracts';

export interface GpuDemand {
  gpuType: string | null;
  count: number;
}

/** GPU bookkeeping of a simulated cluster: what is free, what a job holds. */
export class SimulatedCapacity {
  private readonly used = new Map<string, number>();

  constructor(private capacity: GpuInventory) {}

  resize(capacity: GpuInventory): void {
    this.capacity = capacity;
  }

  take(demand: GpuDemand): void {
    if (demand.gpuType && demand.count > 0) this.used.set(demand.gpuType, (this.used.get(demand.gpuType) ?? 0) + demand.count);
  }

  release(demand: GpuDemand): void {
    if (demand.gpuType && demand.count > 0) this.used.set(demand.gpuType, Math.max(0, (this.used.get(demand.gpuType) ?? 0) - demand.count));
  }

  freeOf(gpuType: string): number {
    return Math.max(0, (this.capacity[gpuType] ?? 0) - (this.used.get(gpuType) ?? 0));
  }

  usedOf(gpuType: string): number {
    return this.used.get(gpuType) ?? 0;
  }
}
