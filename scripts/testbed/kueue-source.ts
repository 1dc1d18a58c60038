// Kueue's controller manager, with internal certificate management off, reads its metrics serving
// certificate from a fixed path, /etc/kueue/metrics/certs (a Secret mounted there in its Deployment), and
// exits when the files are missing. A test bed runs as an ordinary user beside other test beds, so the build
// uses a copy of the kueue module whose cmd/kueue/main.go takes that folder from KUEUE_METRICS_CERT_DIR
// (falling back to the fixed path), wired in by a generated go.work like daprd (`-overlay` may not touch the
// module cache). Nothing else changes.
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, goModulesDir, KUEUE_VERSION } from './layout';
import { moduleDir } from './go-modules';

export const KUEUE_MODULE = 'sigs.k8s.io/kueue';
/** The environment variable the patched controller manager reads its metrics certificate folder from. */
export const METRICS_CERT_DIR_ENV = 'KUEUE_METRICS_CERT_DIR';

const MAIN = join('cmd', 'kueue', 'main.go');
const FIXED_PATH = 'metricsCertPath := "/etc/kueue/metrics/certs"';
const PATCHED_PATH = `metricsCertPath := func() string {
			if dir := os.Getenv("${METRICS_CERT_DIR_ENV}"); dir != "" {
				return dir
			}
			return "/etc/kueue/metrics/certs"
		}()`;

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

/** The patched copy of the kueue module: made once per version under the cache. */
function patchedSource(): string {
  const target = join(cacheDir, 'src', `kueue-${KUEUE_VERSION}`);
  if (existsSync(target)) return target;
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(moduleDir(KUEUE_MODULE, KUEUE_VERSION), staging, { recursive: true });
  makeWritable(staging);
  const main = readFileSync(join(staging, MAIN), 'utf8');
  if (!main.includes(FIXED_PATH)) throw new Error(`${KUEUE_MODULE}@${KUEUE_VERSION} ${MAIN}: no "${FIXED_PATH}" to patch`);
  writeFileSync(join(staging, MAIN), main.replace(FIXED_PATH, PATCHED_PATH));
  renameSync(staging, target);
  return target;
}

/** Writes the go.work that builds go/kueue against the patched source; returns the env for `go build`. */
export function kueueBuildEnv(): Record<string, string> {
  const wrapper = join(goModulesDir, 'kueue');
  const goVersion = /^go (\S+)$/m.exec(readFileSync(join(wrapper, 'go.mod'), 'utf8'))?.[1];
  if (!goVersion) throw new Error(`no go directive in ${wrapper}/go.mod`);
  const workFile = join(cacheDir, 'src', `kueue-${KUEUE_VERSION}.work`);
  writeFileSync(
    workFile,
    [`go ${goVersion}`, '', `use ${wrapper}`, '', `replace ${KUEUE_MODULE} ${KUEUE_VERSION} => ${patchedSource()}`, ''].join('\n'),
  );
  return { GOWORK: workFile };
}

/** A folder of the (unpatched) module as fetched, for its config/ files: CRDs and webhook configurations. */
export function kueueModuleDir(): string {
  return moduleDir(KUEUE_MODULE, KUEUE_VERSION);
}
