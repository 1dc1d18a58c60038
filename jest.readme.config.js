// `npm run test:readme`: the README quick start on a clean clone (npm install, npm start, the bud CLI).
// Apart from `npm test` because it installs a second copy of the dependencies and takes minutes.
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/readme/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  maxWorkers: 1,
};
