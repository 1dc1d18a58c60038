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
  // ESM-only; Node 20.19+ loads it through require(esm).
  const { PGlite } = await import('@electric-sql/pglite');
  const settings = Object.entries(embeddedPostgresSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return PGlite.create({ ...(dataDir ? { dataDir } : {}), startParams: [...PGlite.defaultStartParams, ...settings] });
}
