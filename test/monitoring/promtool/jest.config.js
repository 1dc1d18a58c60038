// `npx jest --config test/monitoring/promtool/jest.config.js`: deploy/monitoring/'s alert rules checked and unit-tested
// by the real promtool, built from source with Go by the test bed (cached in .testbed/cache/ after the first build).
// Apart from `npm test` because that first build takes minutes.
const base = require('../../../jest.config');

module.exports = {
  ...base,
  rootDir: '../../..',
  testMatch: ['<rootDir>/test/monitoring/promtool/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.testbed/'],
  globalSetup: '<rootDir>/test/monitoring/promtool/global-setup.ts',
  maxWorkers: 1,
  testTimeout: 60000,
};
