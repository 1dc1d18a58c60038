import { ConfigError } from '@bud/config';

/** A process entry point: start the service, stop it cleanly on SIGINT/SIGTERM, explain start-up failures. */
export function runService(name: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  start().then(
    (service) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`${name}: ${signal} received, shutting down\n`);
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`${name}: shutdown failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    },
    (error: unknown) => {
      const message = error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error));
      const portTaken = (error as { code?: string }).code === 'EADDRINUSE';
      process.stderr.write(
        `${name} failed to start: ${portTaken ? `port already in use (${(error as Error).message}); set PORT to another port` : message}\n`,
      );
      process.exit(1);
    },
  );
}
