// Runs an embedded Postgres as its own process: `node embedded-postgres-main.js [dataDir]`.
// Prints `READY <url>` once listening; stops cleanly on SIGTERM/SIGINT. Tests use it because
// PGlite cannot load inside jest's module sandbox, and a separate process uses the second core.
import { startEmbeddedPostgres } from './embedded-postgres';

async function main(): Promise<void> {
  const server = await startEmbeddedPostgres(process.argv[2] || undefined);
  process.stdout.write(`READY ${server.url}\n`);
  const stop = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Exit with the parent: a test runner killed hard must not leave databases behind.
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded postgres failed: ${String(error)}\n`);
  process.exit(1);
});
