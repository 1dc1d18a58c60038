import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { pollUntil, repoRoot, signalAndWait } from '@bud/testing';

/**
 * The embedded engine on a data directory, as each service starts it under DATA_DIR: initdb runs in a
 * child process on a scratch directory that is renamed into place, and the engine keeps the settings of
 * docs/operations.md. Runs the built entry (dist/), as the services do.
 */
describe('embedded Postgres on a data directory', () => {
  const entry = join(repoRoot, 'dist', 'libs', 'database', 'src', 'embedded-postgres-main.js');
  let root: string;
  const running: ChildProcess[] = [];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bud-embedded-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((child) => signalAndWait(child, 'SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  });

  function launch(dataDir: string): { child: ChildProcess; ready: Promise<string> } {
    const child = spawn(process.execPath, [entry, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const ready = new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`embedded postgres exited with ${code}: ${stderr.join('')}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('READY ')) resolve(line.slice(6));
      });
    });
    return { child, ready };
  }

  async function query<T>(url: string, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Processes whose command line names `path` (an initdb child working on it). */
  function processesOn(path: string): number[] {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path);
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  it('creates the database through a scratch directory, removes stale scratch, and keeps rows across a restart', async () => {
    const dataDir = join(root, 'pg');
    mkdirSync(join(root, 'pg.initdb-999999'));
    writeFileSync(join(root, 'pg.initdb-999999', 'PG_VERSION'), 'left by an interrupted start');

    const first = launch(dataDir);
    const url = await first.ready;
    expect(readdirSync(root)).toEqual(['pg']);
    expect(await query<{ shared_buffers: string }>(url, 'SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
    await query(url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('written before the restart')`);
    await signalAndWait(first.child, 'SIGTERM');

    const second = launch(dataDir);
    expect(await query(await second.ready, 'SELECT note FROM kept')).toEqual([{ note: 'written before the restart' }]);
  }, 120_000);

  it('leaves no database behind when the service dies during initdb, and the next start makes one', async () => {
    const dataDir = join(root, 'pg');
    const first = launch(dataDir);
    first.ready.catch(() => undefined);
    const scratch = await pollUntil(
      () => readdirSync(root).find((name) => name.startsWith('pg.initdb-')),
      (name) => name !== undefined,
      { what: 'the initdb scratch directory', timeoutMs: 60_000 },
    );
    await signalAndWait(first.child, 'SIGKILL');
    // The initdb child notices its parent is gone and stops; it never renames its work into place.
    await pollUntil(
      () => processesOn(join(root, scratch!)),
      (pids) => pids.length === 0,
      { what: 'the orphaned initdb to exit', timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(existsSync(dataDir)).toBe(false);

    const second = launch(dataDir);
    expect(await query(await second.ready, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(readdirSync(root)).toEqual(['pg']);
  }, 120_000);
});
