import type { CapacityVerdict, GpuInventory } from '@bud/contracts';

/** Whether the cluster's free GPUs cover the plan's demand right now, per GPU type. */
export function capacityVerdict(demand: Readonly<Record<string, number>>, free: GpuInventory): CapacityVerdict {
  const gpus = Object.entries(demand)
    .filter(([, requested]) => requested > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([gpu_type, requested]) => {
      const available = free[gpu_type] ?? 0;
      return { gpu_type, requested, free: available, sufficient: requested <= available };
    });
  const short = gpus.filter((g) => !g.sufficient);
  const message =
    short.length === 0
      ? gpus.length === 0
        ? 'needs no GPUs'
        : 'enough free GPUs of every requested type'
      : short.map((g) => `needs ${g.requested} × ${g.gpu_type} but ${g.free} free`).join('; ');
  return { admits: short.length === 0, gpus, message };
}
