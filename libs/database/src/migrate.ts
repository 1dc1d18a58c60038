import { MigrationExecutor } from 'typeorm';
import type { DataSource, Migration } from 'typeorm';

// Any fixed key: every service has its own database, so one key per database is enough.
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Applies pending migrations, each in its own transaction, while holding a Postgres advisory lock on
 * the same connection: replicas that start together take turns instead of racing on CREATE TABLE.
 */
export async function migrate(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      return await executor.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
