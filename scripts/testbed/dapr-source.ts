// daprd's component set is chosen by build tags that compile all (or all stable) components: over a hundred,
// with every cloud SDK. The test bed needs two (go/dapr/main.go registers them), so it builds from a copy of
// the dapr module without the file that refuses a tag-less build.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAPR_VERSION } from './layout';
import { buildEnvWithCopy } from './module-copy';

const COMPONENTS_PACKAGE = join('cmd', 'daprd', 'components');
/** Panics at start-up unless built with -tags allcomponents or stablecomponents. */
const NO_TAG_GUARD = 'zz_notag.go';

/** The env that builds go/dapr against the trimmed dapr source. */
export function daprBuildEnv(): Record<string, string> {
  return buildEnvWithCopy({
    module: 'github.com/dapr/dapr',
    version: DAPR_VERSION,
    name: 'dapr',
    change: (dir) => {
      rmSync(join(dir, COMPONENTS_PACKAGE, NO_TAG_GUARD));
      // A package needs one buildable file; the registrations live in the wrapper module's main package.
      writeFileSync(
        join(dir, COMPONENTS_PACKAGE, 'zz_testbed.go'),
        '// The test-bed build registers its components in bud.local/testbed/dapr (scripts/testbed/go/dapr).\npackage components\n',
      );
    },
  });
}
