import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@bud/database';

export interface TestDatabase {
  url: string;
  /** 1 on the embedded engine (its multiplexer does not isolate concurrent transactions). */
  poolSize: number;
  embedded: boolean;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one suite: a new database on the server named by TEST_DATABASE_URL,
 * or an in-memory embedded Postgres when it is unset.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres(undefined);
    return { url: embedded.url, poolSize: 1, embedded: true, drop: () => embedded.stop() };
  }
  const name = `bud_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    poolSize: 10,
    embedded: false,
    async drop() {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
