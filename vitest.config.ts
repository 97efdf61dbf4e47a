import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'sfu/**/*.test.ts', 'test/**/*.test.ts', 'web-citizen/src/**/*.test.{ts,tsx}', 'web-counter/src/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Rationale: test files share one Postgres server; each file gets its own database, but 2 cores
    // make more than 2 parallel files slower, not faster.
    maxWorkers: 2,
  },
});
