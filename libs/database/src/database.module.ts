import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Migration } from 'typeorm';
import { postgresOptions } from './data-source';
import type { DataSourceOptions } from './data-source';
import { migrate } from './migrate';

export interface DatabaseSettings extends DataSourceOptions {
  /** Told which migrations start-up applied (none when the schema was current), for the service's log. */
  onMigrated?: (applied: Migration[]) => void;
}

/**
 * The service's one DataSource as a Nest provider (`@InjectDataSource()`): connected, then migrated under
 * `migrate`'s advisory lock before any provider that injects it is built. TypeORM's own `migrationsRun`
 * would skip that lock. It is destroyed when the application closes.
 */
export function databaseModule(settings: DatabaseSettings): DynamicModule {
  const { onMigrated, ...options } = settings;
  return TypeOrmModule.forRootAsync({
    useFactory: () => ({
      ...postgresOptions(options),
      synchronize: false,
      migrationsRun: false,
      // A database that is down at start-up fails the start at once: no reconnect loop.
      retryAttempts: 0,
      toRetry: () => false,
    }),
    dataSourceFactory: async (typeOrmOptions) => {
      const dataSource = new DataSource(typeOrmOptions ?? postgresOptions(options));
      await dataSource.initialize();
      try {
        onMigrated?.(await migrate(dataSource));
      } catch (error) {
        await dataSource.destroy();
        throw error;
      }
      return dataSource;
    },
  });
}
