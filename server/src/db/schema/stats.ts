import { date, integer, jsonb, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { DayFacts } from '../../ops/stats-facts.ts';
import { sites } from './sites.ts';

/**
 * The nightly roll-up: one row per site and local day with additive partial figures (counts, sums, the
 * sorted waits for exact percentiles). Statistics over a range merge these rows with today's live tickets.
 */
export const statsDaily = pgTable(
  'stats_daily',
  {
    siteId: uuid('site_id').notNull().references(() => sites.id),
    day: date('day').notNull(),
    tickets: integer('tickets').notNull(),
    facts: jsonb('facts').$type<DayFacts>().notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day] })],
);
