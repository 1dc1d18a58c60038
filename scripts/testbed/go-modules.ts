// Files shipped inside Go module zips (kwok's stage definitions, Flux's CRDs), fetched from the Go module
// proxy with the ordinary `go mod download` and read from the module cache.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The unpacked module folder of `path@version` in the Go module cache, downloading it first if needed. */
export function moduleDir(path: string, version: string): string {
  // Run outside any module so the go command takes the exact version asked for.
  const scratch = mkdtempSync(join(tmpdir(), 'testbed-gomod-'));
  try {
    const out = execFileSync('go', ['mod', 'download', '-json', `${path}@${version}`], {
      cwd: scratch,
      env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
    const info = JSON.parse(out) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${path}@${version}: ${info.Error ?? 'no Dir'}`);
    return info.Dir;
  } catch (err) {
    const stdout = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`go mod download ${path}@${version} failed: ${stdout || (err as Error).message}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
