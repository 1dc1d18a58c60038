// `npm run migrate`: applies pending budcluster migrations to DATABASE_URL and exits (also run at start-up).
import 'reflect-metadata';
import { createDataSource, migrate } from '@bud/database';
import { loadBudclusterConfig } from '../config/budcluster.config';
import { budclusterEntities } from '../entities';
import { budclusterMigrations } from '../migrations';

async function main(): Promise<void> {
  const config = loadBudclusterConfig();
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required (embedded databases migrate at start-up)');
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, entities: budclusterEntities, migrations: budclusterMigrations });
  await dataSource.initialize();
  const applied = await migrate(dataSource);
  process.stdout.write(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'no pending migrations\n');
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${(error as Error).message}\n`);
  process.exit(1);
});
