import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A single statement straight on the data source's pg pool, skipping TypeORM's per-query runner.
 * For hot, self-contained statements (one-statement writes, reads); transactions keep using TypeORM.
 */
export async function poolQuery<T extends Record<string, unknown>>(dataSource: DataSource, sql: string, params: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query<T>(sql, params)).rows;
}

/**
 * poolQuery as a named prepared statement: each connection parses and plans `sql` once, then only binds values.
 * `name` must always come with the same `sql`. The embedded engine (a pool of one) gets an unnamed statement: it
 * serves every connection from one backend session, so a statement a dropped connection prepared would outlive it and
 * the next connection's Parse of that name would fail ("already exists").
 */
export async function preparedQuery<T extends Record<string, unknown>>(
  dataSource: DataSource,
  name: string,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool & { options: { max?: number } } }).master;
  const shared = pool.options.max === 1;
  return (await pool.query<T>(shared ? { text: sql, values: params } : { name, text: sql, values: params })).rows;
}
