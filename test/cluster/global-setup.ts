// Builds dist/ (budcluster runs from it in the simple-rag suite) and brings the test bed up once for every
// suite, unless one is running already or TESTBED_KUBECONFIG names another cluster.
import { runningState, up } from '../../scripts/testbed/control-plane';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const buildDist = require('../../jest.global-setup.js') as () => Promise<void>;

export default async function globalSetup(): Promise<void> {
  await buildDist();
  if (process.env.TESTBED_KUBECONFIG || runningState()) return;
  await up();
  // Read by global-teardown (same process): only what this run started is stopped.
  process.env.TESTBED_STARTED_BY_JEST = 'true';
}
