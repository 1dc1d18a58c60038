import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sourceTypes } from '@bud/contracts';
import type { JobListQuery, KeysetPosition, SourceType } from '@bud/contracts';
import type { JobEntity } from '../entities';
import { KEYSET_MICROS, KEYSET_ORDER, keysetAfter, keysetParams, listTotal, mapRow, splitPage, withoutKeyset } from '@bud/database';
import type { ListTotal } from '@bud/database';

/**
 * Totals are counted up to this many rows; above it the answer carries the planner's estimate or says it is capped.
 * Low, because a label filter's count reads every match from the GIN index and the heap (10,000 matches: 15–35 ms
 * a page at 100k rows, most of the list's p99), and because past a thousand "about N" tells a person as much.
 */
export const MAX_COUNTED = 1_000;

export interface JobListPage {
  items: JobEntity[];
  /** The last row's key when more rows follow, for next_cursor; null on the last page. */
  last: { keyset_micros: unknown; id: unknown } | null;
  total: ListTotal;
}

interface Filter {
  where: string[];
  params: unknown[];
  /** A filter on several values of an indexed column, read as one ordered index range per value and merged. */
  split?: { column: string; values: readonly string[] };
}

/** GET /clusters/{id}/jobs: the filtered, newest-first pages of one tenant's jobs on a cluster. */
@Injectable()
export class JobListRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(
    tenantId: string,
    clusterId: string,
    query: JobListQuery,
    viewableSourceTypes: readonly SourceType[],
    after: KeysetPosition | null,
  ): Promise<JobListPage> {
    const filter = jobFilter(tenantId, clusterId, query, viewableSourceTypes);
    const countWhere = [...filter.where, ...(filter.split ? [`${filter.split.column} = ANY($${filter.params.length + 1})`] : [])];
    const countParams = filter.split ? [...filter.params, filter.split.values] : filter.params;
    const [rows, total] = await Promise.all([
      this.page(filter, query, after),
      listTotal(this.db, `FROM jobs WHERE ${countWhere.join(' AND ')}`, countParams, MAX_COUNTED),
    ]);
    const { shown, last } = splitPage(rows, query.page_size);
    return { items: shown.map((row) => mapRow<JobEntity>(withoutKeyset(row))), last, total };
  }

  /** One row more than the page, to know whether another follows. */
  private page(filter: Filter, query: JobListQuery, after: KeysetPosition | null): Promise<Record<string, unknown>[]> {
    const params = [...filter.params];
    const where = [...filter.where];
    if (after) {
      params.push(...keysetParams(after));
      where.push(keysetAfter(params.length - 1, params.length));
    }
    const limit = query.page_size + 1;
    const offset = after ? 0 : (query.page - 1) * query.page_size;
    const select = (conditions: string[]) =>
      `SELECT *, ${KEYSET_MICROS} FROM jobs WHERE ${conditions.join(' AND ')} ORDER BY ${KEYSET_ORDER}`;
    if (!filter.split) return this.db.query(`${select(where)} LIMIT ${limit} OFFSET ${offset}`, params);
    // Each value's rows come in order from its own index range; the page is the newest of their heads.
    const { column, values } = filter.split;
    const arms = values.map((value) => {
      params.push(value);
      return `(${select([...where, `${column} = $${params.length}`])} LIMIT ${limit + offset})`;
    });
    return this.db.query(
      `SELECT * FROM (${arms.join(' UNION ALL ')}) AS arms ORDER BY ${KEYSET_ORDER} LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
  }
}

/**
 * The WHERE of a job list. Every filter has an index that starts (tenant_id, cluster_id, column) and ends in the
 * page order (docs/design.md#lists-and-pagination); when no single-valued one is given, a multi-valued one is split
 * into one index range per value, so no page sorts or walks the whole filtered set.
 */
function jobFilter(tenantId: string, clusterId: string, query: JobListQuery, viewable: readonly SourceType[]): Filter {
  const where = ['tenant_id = $1', 'cluster_id = $2'];
  const params: unknown[] = [tenantId, clusterId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  const restricted = sourceTypes.some((sourceType) => !viewable.includes(sourceType));
  const sources = query.source_type
    ? query.source_type.filter((sourceType) => !restricted || viewable.includes(sourceType))
    : restricted
      ? viewable
      : undefined;
  const multiValued: Array<[string, readonly string[] | undefined]> = [
    ['status', query.status],
    ['job_type', query.job_type],
    ['source_type', sources],
  ];
  const pinned =
    multiValued.some(([, values]) => values?.length === 1) ||
    query.source_id !== undefined ||
    query.usecase_deployment_id !== undefined ||
    query.project_id !== undefined;
  const candidates = multiValued.filter(([, values]) => values !== undefined && values.length > 1);
  const splitOn = pinned ? undefined : candidates.sort(([, a], [, b]) => (a?.length ?? 0) - (b?.length ?? 0))[0];
  for (const [column, values] of multiValued) {
    if (values === undefined || column === splitOn?.[0]) continue;
    if (values.length === 1) add(`${column} = ?`, values[0]);
    else add(`${column} = ANY(?)`, values);
  }
  if (query.source_id) add('source_id = ?', query.source_id);
  if (query.usecase_deployment_id) add('usecase_deployment_id = ?', query.usecase_deployment_id);
  if (query.project_id) add('project_id = ?', query.project_id);
  if (query.labels) add('labels @> ?::jsonb', JSON.stringify(query.labels));
  return { where, params, split: splitOn ? { column: splitOn[0], values: splitOn[1] ?? [] } : undefined };
}
