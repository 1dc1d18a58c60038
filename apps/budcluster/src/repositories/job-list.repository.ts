import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sourceTypes } from '@bud/contracts';
import type { JobListQuery, SourceType } from '@bud/contracts';
import type { JobEntity } from '../entities';
import { mapRow } from '@bud/database';

/** Totals above this are reported as this number with `total_capped: true`. */
export const MAX_COUNTED = 10_000;

/** GET /clusters/{id}/jobs: the filtered, newest-first pages of one tenant's jobs on a cluster. */
@Injectable()
export class JobListRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(
    tenantId: string,
    clusterId: string,
    query: JobListQuery,
    viewableSourceTypes: readonly SourceType[],
  ): Promise<{ items: JobEntity[]; total: number; totalCapped: boolean }> {
    const where = ['tenant_id = $1', 'cluster_id = $2'];
    const params: unknown[] = [tenantId, clusterId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    // Only a filter that excludes something: a source_type condition on every list would cost the
    // capped count its index-only scan (jobs.list_100k p99 25 → 143 ms).
    if (sourceTypes.some((sourceType) => !viewableSourceTypes.includes(sourceType))) add('source_type = ANY(?)', viewableSourceTypes);
    if (query.status) add('status = ANY(?)', query.status);
    if (query.job_type) add('job_type = ANY(?)', query.job_type);
    if (query.source_type) add('source_type = ANY(?)', query.source_type);
    if (query.source_id) add('source_id = ?', query.source_id);
    if (query.usecase_deployment_id) add('usecase_deployment_id = ?', query.usecase_deployment_id);
    if (query.project_id) add('project_id = ?', query.project_id);
    if (query.labels) add('labels @> ?::jsonb', JSON.stringify(query.labels));
    const filter = where.join(' AND ');
    // Counting is capped so a tenant with millions of jobs still pages in milliseconds.
    const [countRows, rows] = await Promise.all([
      this.db.query<Array<{ total: number }>>(
        `SELECT count(*)::int AS total FROM (SELECT 1 FROM jobs WHERE ${filter} LIMIT ${MAX_COUNTED + 1}) AS capped`,
        params,
      ),
      this.db.query<Record<string, unknown>[]>(
        `SELECT * FROM jobs WHERE ${filter} ORDER BY created_at DESC, id DESC LIMIT ${query.page_size} OFFSET ${(query.page - 1) * query.page_size}`,
        params,
      ),
    ]);
    const counted = countRows[0]?.total ?? 0;
    return { items: rows.map((row) => mapRow<JobEntity>(row)), total: Math.min(counted, MAX_COUNTED), totalCapped: counted > MAX_COUNTED };
  }
}
