import { sql } from 'drizzle-orm';
import { bigserial, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sites } from './sites.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });

export const CASE_KINDS = ['cannotBeDone', 'badRating', 'complaint'] as const;
export const CASE_STATUSES = ['open', 'assigned', 'replied', 'resolved', 'revisited', 'closed', 'escalated'] as const;

/** 办不成事 reports, bad ratings and complaints, tracked to a revisit. */
export const cases = pgTable(
  'cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Human case number, e.g. BC202611230007 (kind prefix, local date, daily sequence). */
    number: text('number').notNull().unique(),
    siteId: uuid('site_id').notNull().references(() => sites.id),
    kind: text('kind', { enum: CASE_KINDS }).notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull(),
    complex: boolean('complex').notNull().default(false),
    /** Who filed it: a citizen online, staff at the 办不成事 window, or a bad rating. */
    source: text('source', { enum: ['citizen', 'staff', 'rating'] }).notNull(),
    description: text('description').notNull(),
    serviceId: uuid('service_id'),
    ticketId: uuid('ticket_id'),
    ratingId: uuid('rating_id'),
    contactNameMasked: text('contact_name_masked'),
    contactPhoneMasked: text('contact_phone_masked'),
    /** AES-GCM with the server secret: read back only to call the citizen for the revisit. */
    contactPhoneSealed: text('contact_phone_sealed'),
    accessTokenHash: text('access_token_hash').notNull(),
    assigneeId: uuid('assignee_id'),
    filedById: uuid('filed_by_id'),
    openedAt: tz('opened_at').notNull(),
    replyDueAt: tz('reply_due_at').notNull(),
    deadlineAt: tz('deadline_at').notNull(),
    firstRepliedAt: tz('first_replied_at'),
    lastReply: text('last_reply'),
    resolvedAt: tz('resolved_at'),
    resolution: text('resolution'),
    revisitedAt: tz('revisited_at'),
    revisitOutcome: text('revisit_outcome', { enum: ['accepted', 'rejected'] }),
    revisitComment: text('revisit_comment'),
    reopenCount: integer('reopen_count').notNull().default(0),
    closedAt: tz('closed_at'),
    /** Timer flags: each warning and escalation fires once, whichever node's sweep gets there first. */
    replyWarnedAt: tz('reply_warned_at'),
    replyEscalatedAt: tz('reply_escalated_at'),
    resolveWarnedAt: tz('resolve_warned_at'),
    resolveEscalatedAt: tz('resolve_escalated_at'),
    updatedAt: tz('updated_at').notNull(),
  },
  (t) => [
    index('cases_site_status_idx').on(t.siteId, t.status),
    index('cases_site_opened_idx').on(t.siteId, t.openedAt),
    // The sweep reads only cases still being worked on.
    index('cases_active_deadline_idx').on(t.deadlineAt).where(sql`status in ('open', 'assigned', 'replied', 'escalated')`),
    index('cases_ticket_idx').on(t.ticketId),
  ],
);

/** Append-only: every transition, reply and timer action with its actor and time. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: uuid('case_id').notNull().references(() => cases.id),
    siteId: uuid('site_id').notNull(),
    type: text('type').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorKind: text('actor_kind', { enum: ['staff', 'citizen', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    at: tz('at').notNull(),
    /** Free text (a reply, a resolution), personal numbers masked. */
    note: text('note'),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('case_events_case_idx').on(t.caseId, t.id), index('case_events_site_at_idx').on(t.siteId, t.at)],
);

/** Atomic daily sequence per number prefix. */
export const caseNumberCounters = pgTable(
  'case_number_counters',
  {
    prefix: text('prefix').notNull(),
    day: date('day').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.day] })],
);
