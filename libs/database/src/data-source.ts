import { DataSource } from 'typeorm';
import type { EntitySchema, MixedList } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

export interface DataSourceOptions {
  url: string;
  /** 1 for the embedded engine: its multiplexer does not isolate concurrent transactions. */
  poolSize: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  migrationsTableName?: string;
}

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource(postgresOptions(options));
}

/** TypeORM's options for our databases: the migrations are run by `migrate` (under its lock), never synchronized. */
export function postgresOptions(options: DataSourceOptions): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: options.migrationsTableName ?? 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: 5000,
      // A dead server must not hang requests: fail the statement, let the caller answer 503.
      query_timeout: 15000,
    },
  };
}

/** Errors that mean "the database is not reachable right now", as opposed to a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (
    code &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004'].includes(
      code,
    )
  )
    return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|ECONNREFUSED|Query read timeout/i.test(
    error.message,
  );
}
