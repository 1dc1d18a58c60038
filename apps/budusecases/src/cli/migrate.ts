// `node dist/apps/budusecases/src/cli/migrate.js`: applies pending budusecases migrations to DATABASE_URL and exits
// (the service also migrates at start-up; Kubernetes runs this as an init container).
import 'reflect-metadata';
import { createDataSource, migrate } from '@bud/database';
import { loadBudusecasesConfig } from '../config/budusecases.config';
import { budusecasesMigrations } from '../migrations';

async function main(): Promise<void> {
  const config = loadBudusecasesConfig();
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required (embedded databases migrate at start-up)');
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, entities: [], migrations: budusecasesMigrations });
  await dataSource.initialize();
  const applied = await migrate(dataSource);
  process.stdout.write(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'no pending migrations\n');
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${(error as Error).message}\n`);
  process.exit(1);
});
