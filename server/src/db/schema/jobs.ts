import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** "This job has done this unit of work" (e.g. the nightly roll-up of a day), claimed once across nodes. */
export const jobMarks = pgTable(
  'job_marks',
  {
    name: text('name').notNull(),
    key: text('key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.key] })],
);
