import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { repoRoot } from './service-process';

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
  return serverUrl ? createDatabaseOn(serverUrl) : startEmbeddedPostgresProcess();
}

/** A new, empty database on a Postgres server, dropped (connections and all) by `drop()`. */
export async function createDatabaseOn(serverUrl: string, prefix = 'bud_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
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

/** An in-memory embedded Postgres in a child process (built entry in dist/, see jest.global-setup.js). */
async function startEmbeddedPostgresProcess(): Promise<TestDatabase> {
  const entry = join(repoRoot, 'dist', 'libs', 'database', 'src', 'embedded-postgres-main.js');
  const child = fork(entry, [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded postgres exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice(6));
    });
  });
  return {
    url,
    poolSize: 1,
    embedded: true,
    async drop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
