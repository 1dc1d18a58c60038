// Kueue's controller manager, with internal certificate management off, reads its metrics serving
// certificate from a fixed path, /etc/kueue/metrics/certs (a Secret mounted there in its Deployment), and
// exits when the files are missing. A test bed runs as an ordinary user beside other test beds, so the build
// uses a copy of the kueue module whose cmd/kueue/main.go takes that folder from KUEUE_METRICS_CERT_DIR
// (falling back to the fixed path). Nothing else changes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUEUE_VERSION } from './layout';
import { moduleDir } from './go-modules';
import { buildEnvWithCopy } from './module-copy';

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

/** The env that builds go/kueue against the patched kueue source. */
export function kueueBuildEnv(): Record<string, string> {
  return buildEnvWithCopy({
    module: KUEUE_MODULE,
    version: KUEUE_VERSION,
    name: 'kueue',
    change: (dir) => {
      const main = readFileSync(join(dir, MAIN), 'utf8');
      if (!main.includes(FIXED_PATH)) throw new Error(`${KUEUE_MODULE}@${KUEUE_VERSION} ${MAIN}: no "${FIXED_PATH}" to patch`);
      writeFileSync(join(dir, MAIN), main.replace(FIXED_PATH, PATCHED_PATH));
    },
  });
}

/** A folder of the (unpatched) module as fetched, for its config/ files: CRDs and webhook configurations. */
export function kueueModuleDir(): string {
  return moduleDir(KUEUE_MODULE, KUEUE_VERSION);
}
