// Builds dist/ (the services run from it) and daprd (cached in .testbed/cache/ after the first build), and
// checks that Redis is installed before any suite starts one.
import { buildAll } from '../../scripts/testbed/go-build';
import { redisServerBinary } from './support/redis-binary';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const buildDist = require('../../jest.global-setup.js') as () => Promise<void>;

export default async function globalSetup(): Promise<void> {
  redisServerBinary();
  await buildDist();
  await buildAll({ only: ['dapr'] });
}
