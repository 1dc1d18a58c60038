import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Layering inside the apps: what each layer may import or call.
const specs = ['**/*.spec.ts', '**/*.spec.tsx'];
const noTestHelpers = { name: '@bud/testing', message: 'Production code never imports test helpers.' };
const noTypeorm = ['typeorm', '@nestjs/typeorm'].map((name) => ({
  name,
  message: 'Controllers and services reach the database through repositories.',
}));
// Services get transactions from repositories as an opaque Tx; opening one up is the repositories' business.
const noTransactionInternals = {
  name: '@bud/database',
  importNames: ['managerOf', 'runInTransaction', 'poolQuery'],
  message: 'Only repositories run SQL: services take a Tx from repository.transaction() and pass it back.',
};
const networkAndFiles = ['fs', 'fs/promises', 'net', 'http', 'https', 'dns'].flatMap((name) => [name, `node:${name}`]);
const domainImportBans = {
  paths: [
    noTestHelpers,
    ...['typeorm', 'pg', ...networkAndFiles].map((name) => ({ name, message: 'domain/ is pure: no database, file or network code.' })),
    // Manifest renderers build Kubernetes objects, so the client's types are allowed; its code is not.
    { name: '@kubernetes/client-node', allowTypeImports: true, message: 'domain/ is pure: only types from the Kubernetes client.' },
  ],
  patterns: [
    { group: ['@nestjs/*'], message: 'domain/ is plain functions: no Nest.' },
    { group: ['typeorm/*'], message: 'domain/ is pure: no database code.' },
  ],
};
const clockReadMessage = 'Read time from the injected Clock (CLOCK from @bud/ports); new Date(value) of a given value is fine.';

export default [
  { ignores: ['dist/**', 'node_modules/**', '.nx/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            // contracts is the root of the graph: it imports nothing of ours.
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:lib'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:lib', 'type:testing'] },
            { sourceTag: 'scope:budcluster', onlyDependOnLibsWithTags: ['scope:shared', 'scope:budcluster'] },
            { sourceTag: 'scope:budusecases', onlyDependOnLibsWithTags: ['scope:shared', 'scope:budusecases'] },
            // The CLI speaks to the services over HTTP only: it shares their wire types, never their code.
            { sourceTag: 'scope:bud', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:budadmin', onlyDependOnLibsWithTags: ['scope:shared', 'scope:budadmin'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  // Later blocks replace earlier ones' no-restricted-imports for the same file, so each lists its whole set.
  {
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx', 'apps/budadmin/server/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['libs/testing/**', ...specs],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [noTestHelpers] }] },
  },
  {
    files: ['apps/*/src/controllers/**/*.ts', 'apps/*/src/services/**/*.ts'],
    // Transactions are the repositories' `transaction(tx => …)`; services only pass the opaque `Tx` along.
    ignores: specs,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [noTestHelpers, ...noTypeorm, noTransactionInternals] }] },
  },
  {
    files: ['apps/*/src/domain/**/*.ts'],
    ignores: specs,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', domainImportBans],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'domain/ is pure: no network calls.' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='globalThis'][property.name='fetch']", message: 'domain/ is pure: no network calls.' },
      ],
    },
  },
  {
    files: ['apps/*/src/services/**/*.ts', 'apps/*/src/repositories/**/*.ts', 'apps/budcluster/src/drivers/**/*.ts'],
    ignores: specs,
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: clockReadMessage },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: clockReadMessage },
      ],
    },
  },
  {
    // Tests read JSON answers of many shapes; asserting on them is their purpose.
    files: ['**/*.spec.ts', '**/*.spec.tsx', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
