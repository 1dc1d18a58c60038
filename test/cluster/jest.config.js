// `jest --config test/cluster/jest.config.js`: the kubernetes driver against the test bed's real control
// plane (scripts/testbed). Apart from `npm test` because the first run builds Kubernetes from source
// (in global-setup, which brings the test bed up unless one runs; global-teardown stops what it started).
const base = require('../../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  // `*.server.test.ts` (replicas on one database) only when TEST_DATABASE_URL names a PostgreSQL server, as in CI.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', ...(process.env.TEST_DATABASE_URL ? [] : ['\\.server\\.test\\.ts$'])],
  // The test bed's own files (etcd's *.snap among them) are no test files or snapshots.
  modulePathIgnorePatterns: ['<rootDir>/.testbed/'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 120000,
};
