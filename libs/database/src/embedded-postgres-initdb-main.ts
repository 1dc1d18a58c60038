// Runs initdb for the embedded engine in a process of its own: `node embedded-postgres-initdb-main.js <dataDir>`.
// Exits 0 once the data directory holds a cluster that was started and shut down cleanly.
import { openPglite } from './embedded-postgres-settings';

// Started by a service that has died: its start-up is over, the scratch directory is removed by the next one.
process.on('disconnect', () => process.exit(1));

async function main(dataDir: string | undefined): Promise<void> {
  if (!dataDir) throw new Error('usage: embedded-postgres-initdb-main <dataDir>');
  const db = await openPglite(dataDir);
  await db.close();
}

main(process.argv[2]).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`embedded postgres initdb failed: ${String(error)}\n`);
    process.exit(1);
  },
);
