import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.ecp-cutover/**', 'test-results/**', '.scratch/**', 'bench/results/**'] },
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
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node built-ins, no config.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'net', 'child_process', 'os'], message: 'no Node built-ins in workflow code' },
          // Types may be shared (they vanish at compile time); values may not.
          { group: ['knex', 'pg', 'nodemailer', 'luxon', '**/config/*', '**/db/*', '**/stores/*', '**/simulator/*', '**/activities/*', '**/platform/*'], message: 'no I/O or config in workflow code (import type only)', allowTypeImports: true },
        ],
      }],
    },
  },
  {
    // The platform port is what production plugs HKEX's admin APIs into: it knows nothing of the simulator,
    // not even its types.
    files: ['platform/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/simulator/*', '**/simulator'], message: 'the platform port depends on nothing of the simulator' }] }],
    },
  },
);
