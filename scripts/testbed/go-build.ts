// Builds the control plane's programs from source with the Go toolchain, once per version: the binaries
// are cached under .testbed/cache/<component>-<version>/ and reused until the pinned version changes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { daprBuildEnv } from './dapr-source';
import { kueueBuildEnv } from './kueue-source';
import {
  cacheDir,
  DAPR_VERSION,
  ETCD_VERSION,
  goModulesDir,
  KUBERNETES_VERSION,
  KUEUE_VERSION,
  KWOK_VERSION,
  PROMTOOL_VERSION,
} from './layout';
import { progress } from './progress';

interface Component {
  name: string;
  version: string;
  /** The wrapper module under scripts/testbed/go/. */
  module: string;
  /** Package path → binary name. */
  commands: Record<string, string>;
  ldflags: string;
  /** Go build tags, if any. */
  tags?: string;
  /** Prepares what the build reads besides the wrapper module; returns extra env for `go build`. */
  prepare?: () => Record<string, string>;
}

const versionPackage = 'k8s.io/component-base/version';
const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');

export const COMPONENTS: Component[] = [
  {
    name: 'etcd',
    version: ETCD_VERSION,
    module: 'etcd',
    commands: { '.': 'etcd' },
    ldflags: '-s -w',
  },
  {
    name: 'kubernetes',
    version: KUBERNETES_VERSION,
    module: 'kubernetes',
    commands: {
      'k8s.io/kubernetes/cmd/kube-apiserver': 'kube-apiserver',
      'k8s.io/kubernetes/cmd/kube-controller-manager': 'kube-controller-manager',
      'k8s.io/kubernetes/cmd/kube-scheduler': 'kube-scheduler',
    },
    // The same version stamps as the release build, so the servers and clients report v1.x.y, not v0.0.0.
    ldflags: [
      '-s -w',
      `-X ${versionPackage}.gitVersion=${KUBERNETES_VERSION}`,
      `-X ${versionPackage}.gitMajor=${major}`,
      `-X ${versionPackage}.gitMinor=${minor}`,
      `-X ${versionPackage}.gitTreeState=clean`,
      `-X ${versionPackage}.buildDate=1970-01-01T00:00:00Z`,
    ].join(' '),
  },
  {
    name: 'kwok',
    version: KWOK_VERSION,
    module: 'kwok',
    commands: { 'sigs.k8s.io/kwok/cmd/kwok': 'kwok' },
    ldflags: '-s -w',
  },
  {
    name: 'dapr',
    version: DAPR_VERSION,
    module: 'dapr',
    commands: { '.': 'daprd' },
    // daprd reports this as its runtime version (the release build stamps it the same way).
    ldflags: `-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION.slice(1)}`,
    prepare: daprBuildEnv,
  },
  {
    name: 'kueue',
    version: KUEUE_VERSION,
    module: 'kueue',
    commands: { 'sigs.k8s.io/kueue/cmd/kueue': 'kueue' },
    // Kueue logs this version at start-up (its release build stamps it the same way).
    ldflags: `-s -w -X sigs.k8s.io/kueue/pkg/version.GitVersion=${KUEUE_VERSION} -X sigs.k8s.io/kueue/pkg/version.BuildDate=1970-01-01`,
    prepare: kueueBuildEnv,
  },
  {
    name: 'promtool',
    version: PROMTOOL_VERSION,
    module: 'promtool',
    commands: { 'github.com/prometheus/prometheus/cmd/promtool': 'promtool' },
    // promtool --version prints the release this module version is (Prometheus tags its Go module v0.3MM.P for
    // release 3.MM.P); the release build stamps it the same way.
    ldflags: `-s -w -X github.com/prometheus/common/version.Version=${PROMTOOL_VERSION.replace(/^v0\.3(\d\d)\./, '3.$1.')}`,
    // Prometheus' own switch for leaving out the service-discovery plugins (AWS, Azure, GCE, …): checking and testing
    // rules needs none of them, and they are most of the build.
    tags: 'remove_all_sd',
  },
];

export function binDir(component: Component): string {
  return join(cacheDir, `${component.name}-${component.version}`);
}

/** Absolute path of a built binary, e.g. binary('kube-apiserver'). */
export function binary(name: string): string {
  const component = COMPONENTS.find((c) => Object.values(c.commands).includes(name));
  if (!component) throw new Error(`no component builds ${name}`);
  return join(binDir(component), name);
}

function isBuilt(component: Component): boolean {
  return Object.values(component.commands).every((name) => existsSync(join(binDir(component), name)));
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`)),
    );
  });
}

/**
 * Builds what is not cached yet (niced: the machine is shared), all components or the `only` ones.
 * Returns seconds spent per component.
 */
export async function buildAll(options: { force?: boolean; only?: string[] } = {}): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  const unknown = options.only?.filter((name) => !COMPONENTS.some((c) => c.name === name)) ?? [];
  if (unknown.length) throw new Error(`no component named ${unknown.join(', ')} (known: ${COMPONENTS.map((c) => c.name).join(', ')})`);
  for (const component of COMPONENTS.filter((c) => !options.only || options.only.includes(c.name))) {
    const started = Date.now();
    if (!options.force && isBuilt(component)) {
      progress('build', `${component.name} ${component.version}: cached in ${binDir(component)}`);
      seconds[component.name] = 0;
      continue;
    }
    progress(
      'build',
      `${component.name} ${component.version}: go build ${Object.values(component.commands).join(', ')} (this takes minutes the first time)`,
    );
    const staging = `${binDir(component)}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const packages = Object.keys(component.commands);
    const output = packages.length === 1 ? join(staging, Object.values(component.commands)[0]) : `${staging}/`;
    await run(
      'nice',
      [
        '-n',
        '19',
        'go',
        'build',
        '-trimpath',
        '-buildvcs=false',
        ...(component.tags ? ['-tags', component.tags] : []),
        '-ldflags',
        component.ldflags,
        '-o',
        output,
        ...packages,
      ],
      join(goModulesDir, component.module),
      component.prepare?.(),
    );
    rmSync(binDir(component), { recursive: true, force: true });
    renameSync(staging, binDir(component));
    seconds[component.name] = (Date.now() - started) / 1000;
    progress('build', `${component.name} ${component.version}: built in ${seconds[component.name].toFixed(0)} s`);
  }
  return seconds;
}
