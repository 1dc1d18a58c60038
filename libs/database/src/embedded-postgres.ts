import { mkdirSync } from 'node:fs';
import { Logger } from '@bud/logging';
import { initializeDataDir } from './embedded-postgres-initdb';
import { openPglite } from './embedded-postgres-settings';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite served over the Postgres wire protocol, so the same `pg` driver and TypeORM path is used
 * as against a server. The socket multiplexer does not isolate concurrent transactions, so callers
 * must use a pool of one connection.
 */
export async function startEmbeddedPostgres(dataDir: string | undefined): Promise<EmbeddedPostgres> {
  // ESM-only; Node 20.19+ loads it through require(esm).
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  if (dataDir) {
    await initializeDataDir(dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  const db = await openPglite(dataDir);
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  new Logger('embedded-postgres').info('embedded Postgres started', { data_dir: dataDir ?? '(memory)', port });
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
