// Stops the test bed when global-setup started it; TESTBED_KEEP=true leaves it running for the next run.
import { down } from '../../scripts/testbed/control-plane';

export default async function globalTeardown(): Promise<void> {
  if (process.env.TESTBED_STARTED_BY_JEST === 'true' && process.env.TESTBED_KEEP !== 'true') await down();
}
