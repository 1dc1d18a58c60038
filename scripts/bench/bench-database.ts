import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@bud/database';

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

/** A fresh database on the bench server for one measure. */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (serverUrl.includes('127.0.0.1') && !process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) {
    return { url: serverUrl, drop: async () => undefined };
  }
  const name = `bud_bench_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
