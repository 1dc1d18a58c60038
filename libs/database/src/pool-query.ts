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
 * `name` must always come with the same `sql`. The pool must forget leftover statements (`forgetStatementsOnConnect`).
 */
export async function preparedQuery<T extends Record<string, unknown>>(
  dataSource: DataSource,
  name: string,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query<T>({ name, text: sql, values: params })).rows;
}

/**
 * The embedded engine serves every connection from one backend session, so the statements a dropped connection
 * prepared outlive it, and the next connection's first Parse of that name fails ("already exists"). Each new
 * connection starts by deallocating them (on a server, whose sessions are their own, this finds nothing).
 */
export function forgetStatementsOnConnect(dataSource: DataSource): void {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  pool.on('connect', (client) => {
    client.query('DEALLOCATE ALL').catch(() => undefined);
  });
}
