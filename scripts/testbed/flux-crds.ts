// Flux's CustomResourceDefinitions for the kinds budcluster creates (HelmRelease, HelmRepository,
// OCIRepository), copied from config/crd/bases/ of the helm-controller and source-controller module zips.
// No Flux controller runs: the tests play helm-controller by writing HelmRelease status themselves.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { moduleDir } from './go-modules';
import { cacheDir, HELM_CONTROLLER_VERSION, SOURCE_CONTROLLER_VERSION } from './layout';

const SOURCES = [
  { module: 'github.com/fluxcd/helm-controller', version: HELM_CONTROLLER_VERSION, file: 'helm.toolkit.fluxcd.io_helmreleases.yaml' },
  {
    module: 'github.com/fluxcd/source-controller',
    version: SOURCE_CONTROLLER_VERSION,
    file: 'source.toolkit.fluxcd.io_helmrepositories.yaml',
  },
  {
    module: 'github.com/fluxcd/source-controller',
    version: SOURCE_CONTROLLER_VERSION,
    file: 'source.toolkit.fluxcd.io_ocirepositories.yaml',
  },
];

/** Paths of the CRD files, fetched once per version into .testbed/cache/flux-crds-<versions>/. */
export function fluxCrdFiles(): string[] {
  const dir = join(cacheDir, `flux-crds-helm-${HELM_CONTROLLER_VERSION}-source-${SOURCE_CONTROLLER_VERSION}`);
  mkdirSync(dir, { recursive: true });
  return SOURCES.map(({ module, version, file }) => {
    const target = join(dir, file);
    if (!existsSync(target)) copyFileSync(join(moduleDir(module, version), 'config', 'crd', 'bases', file), target);
    return target;
  });
}
