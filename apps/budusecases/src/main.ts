import 'reflect-metadata';
import { ConfigError } from '@bud/config';
import { startBudusecases } from './budusecases.app';
import { loadBudusecasesConfig } from './config/budusecases.config';

async function main(): Promise<void> {
  const service = await startBudusecases(loadBudusecasesConfig());
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`budusecases: ${signal} received, shutting down\n`);
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`budusecases: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error));
  const portTaken = (error as { code?: string }).code === 'EADDRINUSE';
  process.stderr.write(`budusecases failed to start: ${portTaken ? `port already in use (${(error as Error).message}); set PORT to another port` : message}\n`);
  process.exit(1);
});
