// `jest --config test/cluster/jest.config.js`: the kubernetes driver against the test bed's real control
// plane (scripts/testbed). Apart from `npm test` because the first run builds Kubernetes from source
// (in global-setup, which brings the test bed up unless one runs; global-teardown stops what it started).
const base = require('../../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // The test bed's own files (etcd's *.snap among them) are no test files or snapshots.
  modulePathIgnorePatterns: ['<rootDir>/.testbed/'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 120000,
};
