import type { JobResources, PriceTable } from '@bud/contracts';

// Same arithmetic as budcluster's estimate (micro-dollars, decimal strings), so a plan and the job it
// creates show the same price. Both copies belong in a shared lib once one exists for domain math.
const MICROS = 1_000_000;
const SUFFIX: Readonly<Record<string, number>> = {
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** A Kubernetes quantity in base units (cores, bytes); NaN when it is not one. */
export function quantityValue(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  return match ? Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? NaN) : NaN;
}

export function hourlyCostMicros(resources: JobResources, prices: PriceTable): number {
  const gpuPrice = resources.gpu_type ? (prices.gpu_hour[resources.gpu_type] ?? 0) : 0;
  const cpu = quantityValue(resources.cpu_request);
  const memoryGiB = quantityValue(resources.memory_request) / 2 ** 30;
  const perReplica = resources.gpu_count * gpuPrice + (cpu || 0) * prices.vcpu_hour + (memoryGiB || 0) * prices.memory_gib_hour;
  return Math.round(perReplica * Math.max(resources.replicas, 1) * MICROS);
}

export function formatUsd(micros: number): string {
  return `${Math.floor(micros / MICROS)}.${String(micros % MICROS).padStart(6, '0')}`;
}
