import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.cache/**', 'migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Inside a transaction, use the transaction: the root handle there waits for the transaction on embedded
    // PGlite (one connection) and reads around it on Postgres. db/transaction-scope.ts catches it at run
    // time, including through called functions; this catches the lexical case before any test runs.
    files: ['server/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'CallExpression[callee.property.name="transaction"] > :function Identifier[name="db"]',
        message: 'Inside a transaction, query through its tx, not the root db handle (see server/src/db/transaction-scope.ts).',
      }],
    },
  },
  {
    // Plain Node scripts (setup, worker build) run outside TypeScript.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  {
    // Tests assert on JSON response bodies by value; typing every body would add noise, not safety.
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
