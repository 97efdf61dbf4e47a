import { sql } from 'drizzle-orm';
import { doublePrecision, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Per-site policy knobs that are not worth a column each. */
export interface SitePolicy {
  /** Record assistance sessions for audit. */
  recordSessions?: boolean;
  /** Minutes a priority-group ticket is moved earlier; overrides the default. */
  priorityAdvanceMin?: number;
}

export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    level: text('level', { enum: ['district', 'subcentre', 'community', 'village', 'crossProvince'] }).notNull(),
    parentId: uuid('parent_id'),
    region: text('region').notNull(),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    address: text('address'),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    policy: jsonb('policy').$type<SitePolicy>().notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sites_parent_idx').on(t.parentId)],
);
