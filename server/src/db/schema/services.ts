import { index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { sites } from './sites.ts';

export const services = pgTable(
  'services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id').notNull().references(() => sites.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** One or two capital letters: the ticket number prefix and the board's grouping (A012). */
    category: text('category').notNull(),
    complexity: text('complexity', { enum: ['general', 'complex'] }).notNull(),
    targetWaitMin: integer('target_wait_min').notNull(),
    walkInTargetMin: integer('walk_in_target_min').notNull(),
    targetHandleMin: integer('target_handle_min').notNull(),
    materialsNote: text('materials_note'),
    /** Pinyin initials for search, e.g. 居住证办理 → jzzbl. */
    pinyin: text('pinyin'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('services_site_code_uq').on(t.siteId, t.code), index('services_site_idx').on(t.siteId)],
);
