import tseslint from 'typescript-eslint';

// The walls around PostgreSQL: knex and pg are reached only through stores/ (one knex implementation behind
// each interface) and db/ (the pool, migrations, seed). Test code, dev/, bench/, drills/, scripts/, simulator/,
// worker/ and portal/ open pools of their own and are left free. test/unit/walls.test.ts proves each rule fails.
const NO_DATABASE = {
  group: ['knex', 'pg', '**/db/*', '!**/db/catalog-path'],
  message: 'no database here: take the stores as interfaces (AppDeps.stores); only stores/ and db/ hold SQL',
};
/** Stores as interfaces only: their knex factories are a composition root's to call. */
const STORE_TYPES_ONLY = {
  group: ['**/stores/*'],
  allowTypeImports: true,
  message:
    'take the stores through AppDeps (import type only): a composition root builds them (stores/app-stores.ts)',
};
/** What is built from a pool: the worker builds the activities' stores (worker/activity-deps.ts). */
const NO_STORE_FACTORIES = {
  group: ['**/stores/*'],
  importNamePattern: '^create',
  message: 'activities get their stores from the worker (worker/activity-deps.ts), not by building them',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.tools/**',
      '.ecp-cutover/**',
      'test-results/**',
      '.scratch/**',
      'bench/results/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The application layer, the control API, the console and the CLI: no SQL, stores as interfaces.
    files: ['app/**/*.ts', 'api/**/*.ts', 'console/**/*.ts', 'cli/**/*.ts'],
    // The CLI's host-local commands are composition roots: they hold the database owner's DATABASE_URL and open
    // a pool themselves — the services (`api`, `worker`, `portal`, `simulator`), `db migrate|seed`, `operator
    // add|revoke` and the demo's seeding. No other CLI command reaches PostgreSQL: they are the API's clients.
    ignores: [
      'cli/commands/serve.ts',
      'cli/commands/db.ts',
      'cli/commands/operator.ts',
      'cli/commands/demo.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DATABASE, STORE_TYPES_ONLY] }] },
  },
  {
    files: ['activities/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DATABASE, NO_STORE_FACTORIES] }] },
  },
  {
    // Pure rooms: the HTTP layer, the API's contract and the domain know nothing of storage.
    files: ['http/**/*.ts', 'contract/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_DATABASE,
            { group: ['**/stores/*'], message: 'no storage in http/, contract/ or domain/' },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node built-ins, no config.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'net', 'child_process', 'os'],
              message: 'no Node built-ins in workflow code',
            },
            // Types may be shared (they vanish at compile time); values may not.
            {
              group: [
                'knex',
                'pg',
                'nodemailer',
                'luxon',
                '**/config/*',
                '**/db/*',
                '**/stores/*',
                '**/simulator/*',
                '**/activities/*',
                '**/platform/*',
              ],
              message: 'no I/O or config in workflow code (import type only)',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // The platform port is what production plugs HKEX's admin APIs into: it knows nothing of the simulator,
    // not even its types.
    files: ['platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/simulator/*', '**/simulator'],
              message: 'the platform port depends on nothing of the simulator',
            },
          ],
        },
      ],
    },
  },
);
