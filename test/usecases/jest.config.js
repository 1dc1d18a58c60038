// `npm run test:usecases`: the system templates' rendered files run with the real Python libraries (Haystack,
// Hayhooks) in the venv that .ci/python-venv.sh creates and caches. Apart from `npm test` because the venv is a
// 40 s install on a machine that has none yet (global-setup creates it unless BUD_PYTHON_VENV names one).
const base = require('../../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/usecases/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/usecases/global-setup.ts',
  maxWorkers: 1,
  testTimeout: 180000,
};
