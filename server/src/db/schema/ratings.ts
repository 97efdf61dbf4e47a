import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { sites } from './sites.ts';
import { tickets } from './tickets.ts';

/**
 * 好差评: one rating per finished ticket, or per video assistance session. Who served and where are copied
 * in at rating time so statistics need no joins through history that may change (a window renumbered).
 */
export const ratings = pgTable(
  'ratings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id').notNull().references(() => sites.id),
    ticketId: uuid('ticket_id').references(() => tickets.id),
    /** A video assistance session (视频帮办); no foreign key so this table does not depend on the video module. */
    assistSessionId: uuid('assist_session_id'),
    serviceId: uuid('service_id'),
    windowId: uuid('window_id'),
    /** The clerk (or expert) who served. */
    staffId: uuid('staff_id'),
    /** 非常满意 5 · 满意 4 · 基本满意 3 · 不满意 2 · 非常不满意 1. */
    score: integer('score').notNull(),
    reasons: text('reasons').array().notNull().default(sql`'{}'::text[]`),
    /** Free text with phone and id numbers masked. */
    comment: text('comment'),
    /** The follow-up case a score ≤ 2 opened. */
    caseId: uuid('case_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // Once per ticket and once per session: the database decides when two ratings race.
    unique('ratings_ticket_uq').on(t.ticketId),
    unique('ratings_assist_session_uq').on(t.assistSessionId),
    index('ratings_site_created_idx').on(t.siteId, t.createdAt),
    check('ratings_score_ck', sql`${t.score} between 1 and 5`),
    check('ratings_subject_ck', sql`${t.ticketId} is not null or ${t.assistSessionId} is not null`),
  ],
);
