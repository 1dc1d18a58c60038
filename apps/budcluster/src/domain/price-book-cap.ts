import type { JobResources, PriceTable } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { MAX_HOURLY_COST_MICROS, exactQuantity, formatUsd, hourlyCostIssue } from '@bud/workloads';

/** An active job of the cluster, as far as a price table prices it. */
export interface PricedJob {
  id: string;
  name: string;
  resources: JobResources;
}

const ratio = (quantity: string): number => {
  const exact = exactQuantity(quantity);
  return Number(exact.numerator) / Number(exact.denominator);
};

/**
 * docs/design.md#price-book: a price table may not make an active job (pending, queued, admitted or running) cost more
 * than MAX_HOURLY_COST_MICROS per hour — the bound every job's create and scale already keeps, so the meter's columns
 * hold what it writes. Answers the refusal (the path of the price that weighs most in the first such job's cost), or
 * null when every job stays within it.
 */
export function priceCapIssue(jobs: readonly PricedJob[], prices: PriceTable, field = 'price_table'): ErrorDetail | null {
  for (const job of jobs) {
    if (!hourlyCostIssue(job.resources, prices)) continue;
    const resources = job.resources;
    const gpuPrice =
      resources.gpu_type && Object.hasOwn(prices.gpu_hour, resources.gpu_type) ? (prices.gpu_hour[resources.gpu_type] ?? 0) : 0;
    // Which price makes the cost (approximate weights: only the choice of the field named depends on them).
    const parts: Array<[string, number]> = [
      [`${field}.vcpu_hour`, ratio(resources.cpu_request) * prices.vcpu_hour],
      [`${field}.memory_gib_hour`, (ratio(resources.memory_request) / 2 ** 30) * prices.memory_gib_hour],
    ];
    if (resources.gpu_type) parts.push([`${field}.gpu_hour.${resources.gpu_type}`, resources.gpu_count * gpuPrice]);
    const [path] = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
    return {
      path,
      message:
        `would make the active job '${job.name}' (${job.id}) cost more than $${formatUsd(MAX_HOURLY_COST_MICROS)} per hour, ` +
        'the most a job may cost: stop or shrink it first',
    };
  }
  return null;
}
