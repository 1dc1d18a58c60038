import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Postgres settings the embedded engine starts with, on top of PGlite's own start parameters
 * (single-user mode, `-F` no fsync, no parallel workers).
 *
 * Postgres zero-fills shared_buffers when it starts, so every megabyte of it is resident from the
 * first second. PGlite keeps the stock 128 MB; the embedded database of one service is small
 * and a buffer miss is served from the OS page cache (or from memory in memory mode),
 * so 16 MB holds the hot pages and saves about 110 MB per service.
 */
export const embeddedPostgresSettings: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

/** PGlite on `dataDir` (in memory when undefined) with the settings above; runs initdb on an empty directory. */
export async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  keepWasmOnBaselineCompiler();
  // ESM-only; Node 20.19+ loads it through require(esm).
  const { PGlite } = await import('@electric-sql/pglite');
  const settings = Object.entries(embeddedPostgresSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return PGlite.create({ ...(dataDir ? { dataDir } : {}), startParams: [...PGlite.defaultStartParams, ...settings] });
}

/**
 * V8 compiles each WebAssembly function with its baseline compiler (Liftoff) and recompiles the hot ones
 * with its optimizing compiler (TurboFan). For Postgres's 9 MB module that second tier holds 70-90 MB
 * more per process (optimized code and the compiler's own memory) and competes with start-up for the CPU;
 * PGlite's throughput in our measurement stayed within the noise. Liftoff code is the code every function
 * runs before tier-up, so behaviour does not change. The flag is read when a module is compiled, so it is
 * set before PGlite compiles Postgres; it applies only to processes that run the embedded engine.
 */
function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString('--liftoff-only');
}
