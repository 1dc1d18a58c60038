// Builds dist/ (budcluster runs from it in the simple-rag suite) and brings the test bed up once for every
// suite, unless one is running already or TESTBED_KUBECONFIG names another cluster. Kueue runs in it (added to a
// running test bed without it) unless TESTBED_KUEUE=0: budcluster drives it, and the whole suite passes with it.
import { addKueue, runningState, up } from '../../scripts/testbed/control-plane';
import { kueueRequested, testbedHasKueue } from '../../scripts/testbed/kueue';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const buildDist = require('../../jest.global-setup.js') as () => Promise<void>;

export default async function globalSetup(): Promise<void> {
  await buildDist();
  if (process.env.TESTBED_KUBECONFIG) return;
  const running = runningState();
  if (running) {
    if (kueueRequested() && !testbedHasKueue(running)) await addKueue(running);
    else if (!kueueRequested() && testbedHasKueue(running))
      process.stderr.write('cluster tests: TESTBED_KUEUE=0, but the running test bed runs Kueue: the suite runs with it\n');
    return;
  }
  await up();
  // Read by global-teardown (same process): only what this run started is stopped.
  process.env.TESTBED_STARTED_BY_JEST = 'true';
}
