import { parseQuantity } from '@bud/contracts';
import type { QuotaResponse } from '@bud/contracts';
import { gpuQuotaOf } from '../domain/quota-model';
import type { TenantQuota } from '../domain/quota-model';
import type { QuotaUseRow } from '../repositories/quota.repository';

type QuotaUsage = NonNullable<QuotaResponse['usage']>;

/** Millicores as the API shows CPU: whole cores plainly, else in millicores (`2`, `1500m`). */
export function formatCpuMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Bytes as the largest binary suffix that divides them exactly (`8Gi`, `512Mi`, `1000`). */
export function formatBytes(bytes: number): string {
  for (const [suffix, size] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(bytes);
}

function quantityOr0(quantity: string | null, scale: number): number {
  if (!quantity) return 0;
  try {
    return Math.round(parseQuantity(quantity) * scale);
  } catch {
    // A request the job's own validation let through but this parser refuses counts as nothing rather than a 500.
    return 0;
  }
}

/**
 * One tenant's usage under its effective quota (docs/design.md#quotas): GPUs per product its admitted or running jobs
 * hold (`admitted`), the part beyond its nominal quota (`borrowed`), and what its pending, queued or preempted jobs
 * wait for (`queued`); CPU and memory its admitted work holds. `rows` are that tenant's.
 */
export function quotaUsage(quota: TenantQuota, rows: readonly QuotaUseRow[]): QuotaUsage {
  const gpus: QuotaUsage['gpus'] = {};
  for (const product of Object.keys(quota.gpus)) gpus[product] = { admitted: 0, borrowed: 0, queued: 0 };
  let cpuMillis = 0;
  let memoryBytes = 0;
  for (const row of rows) {
    if (row.gpuType !== null && row.gpus > 0) {
      const use = (gpus[row.gpuType] ??= { admitted: 0, borrowed: 0, queued: 0 });
      if (row.holding) use.admitted += row.gpus;
      else use.queued += row.gpus;
    }
    if (row.holding) {
      cpuMillis += quantityOr0(row.cpuRequest, 1000) * row.replicas;
      memoryBytes += quantityOr0(row.memoryRequest, 1) * row.replicas;
    }
  }
  for (const [product, use] of Object.entries(gpus)) use.borrowed = Math.max(0, use.admitted - gpuQuotaOf(quota, product).nominal);
  return { gpus, cpu: formatCpuMillis(cpuMillis), memory: formatBytes(memoryBytes) };
}
