// One jest run for the whole repository: unit specs beside the code, integration and e2e suites under test/.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

// The web UI's components (React, automatic JSX runtime); their specs choose jsdom with a docblock.
const swcTsx = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx$': swcTsx, '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose|@nestjs/typeorm)/)'],
  moduleNameMapper,
  testMatch: [
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/apps/**/*.spec.tsx',
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/apps/**/test/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts',
  ],
  // `*.server.test.ts` run replicas of a service on one database, which the embedded engine (one process, one
  // connection) cannot hold: they run only when TEST_DATABASE_URL names a PostgreSQL server (CI's first `npm test`).
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '<rootDir>/test/cluster/',
    '<rootDir>/test/dapr/',
    '<rootDir>/test/monitoring/promtool/',
    // The templates' files with the real Python libraries: `npm run test:usecases` (needs the Python venv).
    '<rootDir>/test/usecases/',
    '/e2e-ui/',
    '<rootDir>/test/readme/',
    ...(process.env.TEST_DATABASE_URL ? [] : ['\\.server\\.test\\.ts$']),
  ],
  // The test bed's caches (Go builds, etcd data) are not the project's modules or snapshots.
  modulePathIgnorePatterns: ['<rootDir>/.testbed/'],
  globalSetup: '<rootDir>/jest.global-setup.js',
  testTimeout: 60000,
  maxWorkers: 2,
};
