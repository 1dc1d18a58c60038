import { createDataSource } from './data-source';
import type { DataSourceOptions } from './data-source';
import { migrate } from './migrate';

/**
 * A service's `cli/migrate.js`: applies its pending migrations to DATABASE_URL, reports them and exits
 * (non-zero on failure). Embedded databases migrate at start-up instead.
 */
export function runMigrateCommand(databaseUrl: string | undefined, migrations: DataSourceOptions['migrations']): void {
  const run = async () => {
    if (!databaseUrl) throw new Error('DATABASE_URL is required (embedded databases migrate at start-up)');
    const dataSource = createDataSource({ url: databaseUrl, poolSize: 1, entities: [], migrations });
    await dataSource.initialize();
    const applied = await migrate(dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'no pending migrations\n');
    await dataSource.destroy();
  };
  run().catch((error: unknown) => {
    process.stderr.write(`migrate failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
