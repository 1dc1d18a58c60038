// Where the test bed keeps things, and the one pinned version of every piece it builds.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder with a package.json (works from scripts/ and from dist/scripts/). */
export const repoRoot = ((): string => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export const KUBERNETES_VERSION = 'v1.37.2';
export const ETCD_VERSION = 'v3.7.3';
export const KWOK_VERSION = 'v0.8.0';
/** daprd (the Dapr sidecar): v1.18.3 needs durabletask-go v0.12.4, which the module proxy refuses (403). */
export const DAPR_VERSION = 'v1.18.2';
/** helm-controller and source-controller releases whose module zips carry config/crd/bases (Flux 2.8 line). */
export const HELM_CONTROLLER_VERSION = 'v1.6.0';
export const SOURCE_CONTROLLER_VERSION = 'v1.9.6';
/** Kueue (sigs.k8s.io/kueue): its controller manager and its config/ (CRDs, webhook configurations); on unless TESTBED_KUEUE=0. */
export const KUEUE_VERSION = 'v0.17.0';
/** promtool (github.com/prometheus/prometheus/cmd/promtool): checks and unit-tests deploy/monitoring/'s alert rules. */
export const PROMTOOL_VERSION = 'v0.316.0';

/** Everything built or run lives under the ignored `.testbed/` folder (TESTBED_DIR moves it). */
export const testbedDir = process.env.TESTBED_DIR ?? join(repoRoot, '.testbed');
/** Built binaries and fetched files, one folder per component and version: survives `down`. */
export const cacheDir = join(testbedDir, 'cache');
/** One running control plane: certificates, data, logs, pid files, state.json. Removed by `down`. */
export const runDir = join(testbedDir, 'run');
export const goModulesDir = join(repoRoot, 'scripts', 'testbed', 'go');

export const paths = {
  state: join(runDir, 'state.json'),
  kubeconfig: join(runDir, 'kubeconfig'),
  pids: join(runDir, 'pids'),
  logs: join(runDir, 'logs'),
  pki: join(runDir, 'pki'),
  /**
   * etcd's data lives outside the repository: jest reads every `*.snap` under its root as a snapshot file,
   * and etcd's `member/snap/*.snap` would be reported as obsolete snapshots (a failed run).
   */
  etcdData: join(tmpdir(), `bud-testbed-etcd-${createHash('sha256').update(testbedDir).digest('hex').slice(0, 12)}`),
};

export interface TestbedState {
  kubeconfig: string;
  apiserverUrl: string;
  etcdUrl: string;
  startedAt: string;
  pids: Record<string, number>;
  /** How each program was started, so one can be restarted alone (e.g. the API server, to break watches). */
  commands: Record<string, { binary: string; args: string[]; env?: Record<string, string> }>;
  /** Present when the test bed runs Kueue (unless TESTBED_KUEUE=0): its version and its loopback ports. */
  kueue?: { version: string; webhookPort: number; healthPort: number; metricsPort: number };
}
