import type { JobPolicy, JobResources, PriceTable } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { formatUsd, hourlyCostIssue, hourlyCostMicros } from '@bud/workloads';

/** A job's estimated cost columns at a cluster's prices; a job that cannot be priced is a 422 on `resources`. */
export function estimatedCosts(
  resources: JobResources,
  policy: JobPolicy,
  prices: PriceTable,
): { estimatedCostPerHour: string; estimatedCost: string | null } {
  const costIssue = hourlyCostIssue(resources, prices);
  if (costIssue) throw AppError.validation(`the job is invalid: resources ${costIssue}`, [{ path: 'resources', message: costIssue }]);
  const perHour = hourlyCostMicros(resources, prices);
  return {
    estimatedCostPerHour: formatUsd(perHour),
    estimatedCost: policy.max_runtime_seconds ? formatUsd(Math.round((perHour * policy.max_runtime_seconds) / 3600)) : null,
  };
}
