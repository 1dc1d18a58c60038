import type { JobResources, PlannedComponent, PriceTable } from '@bud/contracts';
import { exactQuantity, hourlyCostIssue, hourlyCostMicros, parseUsdMicros } from '@bud/workloads';

const MICROS = 1_000_000n;
const GIB = 2n ** 30n;

/**
 * What a component's job costs per hour at the cluster's current prices, in micro-dollars; both sides of a preview are
 * priced with the same table, so the difference is the change's alone. Past the price bound, the plan's own estimate.
 */
export function componentHourlyMicros(component: PlannedComponent, resources: JobResources, prices: PriceTable): number {
  return hourlyCostIssue(resources, prices) === null
    ? hourlyCostMicros(resources, prices)
    : parseUsdMicros(component.estimated_cost_per_hour);
}

/** size GiB × price per GiB-month, exact (the price's micro-dollars × the size in bytes / 2^30), rounded half up. */
export function storageMonthlyMicros(size: string, pricePerGibMonth: number): number {
  const bytes = exactQuantity(size);
  const priceMicros = BigInt(Math.round(pricePerGibMonth * Number(MICROS)));
  const denominator = bytes.denominator * GIB;
  return Number((bytes.numerator * priceMicros * 2n + denominator) / (2n * denominator));
}

/** GPUs per type a job holds: per replica × replicas. */
export function gpusOf(resources: JobResources): Record<string, number> {
  const count = resources.gpu_count * resources.replicas;
  return resources.gpu_type && count > 0 ? { [resources.gpu_type]: count } : {};
}

export function addGpus(into: Record<string, number>, more: Readonly<Record<string, number>>): void {
  for (const [type, count] of Object.entries(more)) into[type] = (into[type] ?? 0) + count;
}
