// daprd's component set is chosen by build tags that compile all (or all stable) components: over a hundred,
// with every cloud SDK. The test bed needs two (go/dapr/main.go registers them), so it builds from a copy of
// the dapr module without the file that refuses a tag-less build, wired in by a generated go.work.
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, DAPR_VERSION, goModulesDir } from './layout';
import { moduleDir } from './go-modules';

const DAPR_MODULE = 'github.com/dapr/dapr';
const COMPONENTS_PACKAGE = join('cmd', 'daprd', 'components');
/** Panics at start-up unless built with -tags allcomponents or stablecomponents. */
const NO_TAG_GUARD = 'zz_notag.go';

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

/** The copied, trimmed dapr source: made once per version under the cache. */
function trimmedSource(): string {
  const target = join(cacheDir, 'src', `dapr-${DAPR_VERSION}`);
  if (existsSync(target)) return target;
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(moduleDir(DAPR_MODULE, DAPR_VERSION), staging, { recursive: true });
  makeWritable(staging);
  rmSync(join(staging, COMPONENTS_PACKAGE, NO_TAG_GUARD));
  // A package needs one buildable file; the registrations live in the wrapper module's main package.
  writeFileSync(
    join(staging, COMPONENTS_PACKAGE, 'zz_testbed.go'),
    '// The test-bed build registers its components in bud.local/testbed/dapr (scripts/testbed/go/dapr).\npackage components\n',
  );
  renameSync(staging, target);
  return target;
}

/** Writes the go.work that builds go/dapr against the trimmed source; returns the env for `go build`. */
export function daprBuildEnv(): Record<string, string> {
  const wrapper = join(goModulesDir, 'dapr');
  const goVersion = /^go (\S+)$/m.exec(readFileSync(join(wrapper, 'go.mod'), 'utf8'))?.[1];
  if (!goVersion) throw new Error(`no go directive in ${wrapper}/go.mod`);
  const workFile = join(cacheDir, 'src', `dapr-${DAPR_VERSION}.work`);
  writeFileSync(
    workFile,
    [`go ${goVersion}`, '', `use ${wrapper}`, '', `replace ${DAPR_MODULE} ${DAPR_VERSION} => ${trimmedSource()}`, ''].join('\n'),
  );
  return { GOWORK: workFile };
}
