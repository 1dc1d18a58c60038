// `jest --config test/dapr/jest.config.js`: budcluster and budusecases behind real Dapr sidecars (daprd built
// from source by the test bed, Redis from Debian's redis-server). Apart from `npm test` because the first run
// builds daprd with Go.
const base = require('../../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/dapr/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.testbed/'],
  globalSetup: '<rootDir>/test/dapr/global-setup.ts',
  maxWorkers: 1,
  testTimeout: 120000,
};
