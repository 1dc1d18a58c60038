import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import type { UsageQuery, UsageResponse } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { ZERO_SUMS, addSums, sumsOf, toQuantities } from '../domain/usage/usage-quantities';
import { usageWindow } from '../domain/usage/usage-window';
import { UsageRepository } from '../repositories/usage.repository';
import { billingTenant } from './usage-access';

/** The most rows one answer carries; past it the caller narrows the range, groups coarser or splits less. */
export const MAX_USAGE_ROWS = 10_000;

/** docs/design.md#usage: GPU, vCPU and memory hours and their cost from the ledger, by time bucket and a dimension. */
@Injectable()
export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async query(principal: Principal, query: UsageQuery): Promise<UsageResponse> {
    const tenantId = billingTenant(principal, query.tenant_id, true);
    const window = usageWindow(query.from, query.to, new Date(this.clock.now()));
    const by = query.by ?? null;
    const rows = await this.usage.buckets(
      window,
      query.group_by,
      by,
      {
        tenantId,
        projectId: query.project_id,
        deploymentId: query.deployment_id,
        clusterId: query.cluster_id,
        jobId: query.job_id,
        gpuType: query.gpu_type,
      },
      MAX_USAGE_ROWS + 1,
    );
    if (rows.length > MAX_USAGE_ROWS) {
      const message = `gives more than ${MAX_USAGE_ROWS} rows: narrow the range or the filters, or group by a longer period`;
      throw AppError.validation(`the query is invalid: query.group_by ${message}`, [{ path: 'query.group_by', message }]);
    }
    let total = ZERO_SUMS;
    const items = rows.map((row) => {
      const sums = sumsOf(row);
      total = addSums(total, sums);
      return { period_start: row.period_start.toISOString(), key: row.key, ...toQuantities(sums) };
    });
    return {
      tenant_id: tenantId,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      group_by: query.group_by,
      by,
      currency: 'USD',
      items,
      total: toQuantities(total),
    };
  }
}
