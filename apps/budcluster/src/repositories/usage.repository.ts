import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { UsageDimension, UsageGroupBy } from '@bud/contracts';
import type { RawUsage } from '../domain/usage/usage-quantities';
import type { UsageWindow } from '../domain/usage/usage-window';

/** What a usage query may narrow to; tenantId null: every tenant (platform:admin). */
export interface UsageFilter {
  tenantId: string | null;
  projectId?: string;
  deploymentId?: string;
  clusterId?: string;
  jobId?: string;
  gpuType?: string;
}

export interface UsageBucketRow extends RawUsage {
  period_start: Date;
  key: string | null;
}

/** The column each `by` splits on; '' in gpu_type is "no GPU" and reads as null. */
const keyOf: Record<UsageDimension, string> = {
  deployment: 'deployment_id::text',
  project: 'project_id::text',
  cluster: 'cluster_id::text',
  job: 'job_id::text',
  gpu_type: "NULLIF(gpu_type, '')",
};

const SUMS = `sum(gpu_ms) AS gpu_ms, sum(cpu_millicore_ms) AS cpu_millicore_ms, sum(memory_byte_ms) AS memory_byte_ms,
  sum(cost) AS cost`;

/**
 * Reads usage from the ledger (`usage_ledger`, per job and minute) and its hourly rollup (`usage_hourly`): whole hours
 * from the rollup, the partial hours at the ends of a range from the ledger (docs/design.md#usage). Both are written
 * only by the meter; nothing here writes.
 */
@Injectable()
export class UsageRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Sums per time bucket (UTC) and `by` key, ordered by bucket then key (null first); at most `limit` rows, so a
   * caller can tell a result too large to answer (it asks for one more than it allows).
   */
  async buckets(
    window: UsageWindow,
    groupBy: UsageGroupBy,
    by: UsageDimension | null,
    filter: UsageFilter,
    limit: number,
  ): Promise<UsageBucketRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const conditions: string[] = [];
    if (filter.tenantId !== null) conditions.push(`tenant_id = ${param(filter.tenantId)}`);
    if (filter.projectId) conditions.push(`project_id = ${param(filter.projectId)}`);
    if (filter.deploymentId) conditions.push(`deployment_id = ${param(filter.deploymentId)}`);
    if (filter.clusterId) conditions.push(`cluster_id = ${param(filter.clusterId)}`);
    if (filter.jobId) conditions.push(`job_id = ${param(filter.jobId)}`);
    if (filter.gpuType) conditions.push(`gpu_type = ${param(filter.gpuType)}`);
    const key = by === null ? 'NULL::text' : keyOf[by];
    const narrowed = conditions.map((condition) => ` AND ${condition}`).join('');
    const parts: string[] = [];
    if (window.hours) {
      parts.push(`SELECT hour AS at, ${key} AS key, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost FROM usage_hourly
        WHERE hour >= ${param(window.hours.from)} AND hour < ${param(window.hours.to)}${narrowed}`);
    }
    for (const span of window.minutes) {
      parts.push(`SELECT minute AS at, ${key} AS key, gpu_ms, cpu_millicore_ms, memory_byte_ms, cost FROM usage_ledger
        WHERE minute >= ${param(span.from)} AND minute < ${param(span.to)}${narrowed}`);
    }
    // date_bin (plain arithmetic from a UTC midnight) rather than date_trunc(…, 'UTC'), which converts time zones
    // row by row at twice the cost; months are not a fixed width, so they are days first, then truncated.
    const binned = `SELECT date_bin(${param(groupBy === 'hour' ? '1 hour' : '1 day')}::interval, at, '2000-01-01T00:00:00Z')
        AS period_start, key, ${SUMS}
      FROM (${parts.join(' UNION ALL ')}) AS parts GROUP BY 1, 2`;
    const buckets =
      groupBy === 'month'
        ? `SELECT date_trunc('month', period_start, 'UTC') AS period_start, key, ${SUMS} FROM (${binned}) AS days GROUP BY 1, 2`
        : binned;
    return this.db.query<UsageBucketRow[]>(
      `SELECT period_start, key, gpu_ms::text AS gpu_ms, cpu_millicore_ms::text AS cpu_millicore_ms,
              memory_byte_ms::text AS memory_byte_ms, cost::text AS cost
       FROM (${buckets}) AS buckets ORDER BY 1, 2 NULLS FIRST LIMIT ${param(limit)}`,
      params,
    );
  }
}
