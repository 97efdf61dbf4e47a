import { defineConfig } from 'vitest/config';

/**
 * The integration tests of every domain run twice: on Postgres (`postgres`) and on the embedded default
 * (`pglite`: PGlite in a folder, no Redis), which is what `npm start` gives every newcomer, trainee and
 * village station. The same test bodies, told apart by `dbTarget` (test/helpers/test-app.ts).
 */
const EMBEDDED_DOMAINS = [
  'test/queue/**/*.test.ts',
  'test/appointments/**/*.test.ts',
  'test/video/**/*.test.ts',
  'test/ratings/**/*.test.ts',
  'test/cases/**/*.test.ts',
  'test/ops/**/*.test.ts',
  'test/jobs/**/*.test.ts',
  'test/hardening/database-timeouts.test.ts',
  'test/hardening/socket-database-outage.test.ts',
  'test/hardening/fuzz-http.test.ts',
  'test/hardening/least-privilege.test.ts',
  'test/hardening/observability.test.ts',
  'test/hardening/sign-in.test.ts',
];

/** Postgres only, each for a reason the embedded default cannot share. */
const NEEDS_SEVERAL_PROCESSES_OR_REDIS = [
  // The Postgres project runs the embedded smoke test already.
  'test/queue/embedded-pglite.test.ts',
  // Two server nodes on one database at once: one process owns a PGlite folder.
  'test/queue/two-nodes.test.ts',
  'test/queue/queue-changed-coalescing.test.ts',
  'test/queue/counts-in-calls-two-nodes.test.ts',
  'test/jobs/nightly-two-nodes.test.ts',
  // Separate API and media node processes sharing a database.
  'test/video/media-node.test.ts',
  'test/video/nginx-media-route.test.ts',
  // Media nodes per region: separate node processes sharing Redis (and, in netns, separate hosts).
  'test/video/media-span.test.ts',
  'test/video/media-span-netns.test.ts',
  // BullMQ is the Redis job runner; the embedded default runs jobs in-process (in-process-reminders.test.ts).
  'test/jobs/bullmq-reminders.test.ts',
  'test/jobs/bullmq-runner.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Rationale: test files share one Postgres server; each file gets its own database, but 2 cores
    // make more than 2 parallel files slower, not faster.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['server/**/*.test.ts', 'sfu/**/*.test.ts', 'test/**/*.test.ts', 'web-citizen/src/**/*.test.{ts,tsx}', 'web-counter/src/**/*.test.{ts,tsx}'],
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: EMBEDDED_DOMAINS,
          exclude: NEEDS_SEVERAL_PROCESSES_OR_REDIS,
        },
      },
    ],
  },
});
