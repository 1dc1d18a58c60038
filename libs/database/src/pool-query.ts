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
