// A Go module the test bed builds from a changed copy (daprd without its tag guard, Kueue with one path made
// configurable): copied once per version under the cache, then wired in by a generated go.work, since `-overlay`
// may not touch the module cache.
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, goModulesDir } from './layout';
import { moduleDir } from './go-modules';

export interface ModuleCopy {
  /** The module path, e.g. github.com/dapr/dapr. */
  module: string;
  version: string;
  /** The copy's folder name under the cache and the wrapper module's folder under scripts/testbed/go. */
  name: string;
  /** Changes the staged copy in place; throws when the source is not what it expects. */
  change(dir: string): void;
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

/** The changed copy of the module: made once per version (staged, then renamed, so a half-made one never counts). */
function changedCopy(copy: ModuleCopy): string {
  const target = join(cacheDir, 'src', `${copy.name}-${copy.version}`);
  if (existsSync(target)) return target;
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(moduleDir(copy.module, copy.version), staging, { recursive: true });
  makeWritable(staging);
  copy.change(staging);
  renameSync(staging, target);
  return target;
}

/** Writes the go.work that builds the wrapper module against the changed copy; returns the env for `go build`. */
export function buildEnvWithCopy(copy: ModuleCopy): Record<string, string> {
  const wrapper = join(goModulesDir, copy.name);
  const goVersion = /^go (\S+)$/m.exec(readFileSync(join(wrapper, 'go.mod'), 'utf8'))?.[1];
  if (!goVersion) throw new Error(`no go directive in ${wrapper}/go.mod`);
  const workFile = join(cacheDir, 'src', `${copy.name}-${copy.version}.work`);
  writeFileSync(
    workFile,
    [`go ${goVersion}`, '', `use ${wrapper}`, '', `replace ${copy.module} ${copy.version} => ${changedCopy(copy)}`, ''].join('\n'),
  );
  return { GOWORK: workFile };
}
