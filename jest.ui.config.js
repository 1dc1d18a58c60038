// `npm run test:ui`: the web UI's browser tests (Debian's Chromium, driven by playwright-core).
// Kept apart from `npm test` because they need a browser installed on the machine.
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/apps/budadmin/test/e2e-ui/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/jest.ui.global-setup.js',
  maxWorkers: 1,
};
