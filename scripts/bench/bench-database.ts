import { Client } from 'pg';
import { startEmbeddedPostgres } from '@bud/database';
import { createDatabaseOn } from '@bud/testing';

export interface BenchDatabase {
  url: string;
  kind: string;
  stop(): Promise<void>;
}

/** The Postgres server named by BENCH_DATABASE_URL (or TEST_DATABASE_URL); the embedded engine otherwise. */
export async function databaseForBench(): Promise<BenchDatabase> {
  const server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!server) {
    const embedded = await startEmbeddedPostgres(undefined);
    return { url: embedded.url, kind: 'embedded (PGlite)', stop: () => embedded.stop() };
  }
  const admin = new Client({ connectionString: server });
  await admin.connect();
  const version = ((await admin.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
  await admin.end();
  return { url: server, kind: `PostgreSQL ${version} server`, stop: async () => undefined };
}

/** A fresh database on the bench server for one measure (the embedded engine has only one). */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) return { url: serverUrl, drop: async () => undefined };
  return createDatabaseOn(serverUrl, 'bud_bench');
}
