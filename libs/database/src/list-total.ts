import type { TotalKind } from '@bud/contracts';
import type { DataSource } from 'typeorm';

export interface ListTotal {
  total: number;
  kind: TotalKind;
}

/**
 * A list's total without counting a large set (docs/design.md#lists-and-pagination). The planner's row estimate
 * comes first, from planning alone; above `cap` it is the answer ('estimate'). Otherwise the rows are counted up to
 * `cap` ('exact', or 'capped' when the estimate was low and the count reached the cap). Either way the work is
 * bounded by `cap` index entries, never by the size of the set.
 */
export async function listTotal(db: DataSource, fromWhere: string, params: unknown[], cap: number): Promise<ListTotal> {
  const estimate = await plannedRows(db, `SELECT 1 ${fromWhere}`, params);
  if (estimate > cap) return { total: estimate, kind: 'estimate' };
  const [row] = await db.query<Array<{ total: number }>>(
    `SELECT count(*)::int AS total FROM (SELECT 1 ${fromWhere} LIMIT ${cap + 1}) AS capped`,
    params,
  );
  const counted = row?.total ?? 0;
  return counted > cap ? { total: cap, kind: 'capped' } : { total: counted, kind: 'exact' };
}

async function plannedRows(db: DataSource, sql: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<Array<{ 'QUERY PLAN': unknown }>>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const plan = row?.['QUERY PLAN'];
  // pg parses the json column; some drivers hand it over as text.
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as Array<{ Plan?: { 'Plan Rows'?: number } }>;
  return Math.round(parsed[0]?.Plan?.['Plan Rows'] ?? 0);
}
