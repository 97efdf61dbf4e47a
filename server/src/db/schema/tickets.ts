import { sql } from 'drizzle-orm';
import { bigint, bigserial, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { services } from './services.ts';
import { sites } from './sites.ts';
import { windows } from './windows.ts';

export const TICKET_STATUSES = ['waiting', 'called', 'serving', 'suspended', 'done', 'noShow', 'cancelled', 'transferred'] as const;
export const PRIORITIES = ['normal', 'elderly', 'disabled', 'pregnant', 'veteran'] as const;
export const CHANNELS = ['kiosk', 'mobile', 'appointment', 'transfer'] as const;

const tz = (name: string) => timestamp(name, { withTimezone: true });

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id').notNull().references(() => sites.id),
    serviceId: uuid('service_id').notNull().references(() => services.id),
    /** The site's local day the number belongs to. */
    day: date('day').notNull(),
    number: text('number').notNull(),
    status: text('status', { enum: TICKET_STATUSES }).notNull(),
    priority: text('priority', { enum: PRIORITIES }).notNull(),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    issuedAt: tz('issued_at').notNull(),
    /** What the wait target counts from: the issue time, or for a transfer the original ticket's. */
    waitAnchorAt: tz('wait_anchor_at').notNull(),
    dueAt: tz('due_at').notNull(),
    /** Only this window may call it (virtual-window appointments, transfers to a window). */
    targetWindowId: uuid('target_window_id').references(() => windows.id),
    windowId: uuid('window_id').references(() => windows.id),
    /** First call: the SLA measure. A recall does not move it. */
    calledAt: tz('called_at'),
    lastCalledAt: tz('last_called_at'),
    callCount: integer('call_count').notNull().default(0),
    startedAt: tz('started_at'),
    finishedAt: tz('finished_at'),
    suspendedAt: tz('suspended_at'),
    resumeBy: tz('resume_by'),
    outcome: text('outcome'),
    note: text('note'),
    citizenNameMasked: text('citizen_name_masked'),
    citizenIdHash: text('citizen_id_hash'),
    citizenIdMasked: text('citizen_id_masked'),
    citizenPhoneMasked: text('citizen_phone_masked'),
    accessTokenHash: text('access_token_hash').notNull(),
    appointmentId: uuid('appointment_id'),
    transferredFromId: uuid('transferred_from_id'),
    /** The estimate given at issue time, kept to report its error later. */
    etaAtIssueMin: integer('eta_at_issue_min'),
    /** The range shown at issue: low–high (null low on rows older than migration 0008: read as eta). */
    etaLowAtIssueMin: integer('eta_low_at_issue_min'),
    etaHighAtIssueMin: integer('eta_high_at_issue_min'),
    /** No longer written: warnings live in `ticket_sla_warnings` (see there). Kept for nodes mid-upgrade. */
    slaWarnedAt: tz('sla_warned_at'),
  },
  (t) => [
    unique('tickets_site_day_number_uq').on(t.siteId, t.day, t.number),
    // Every index here is written by each ticket issued, the hottest insert: (site, day) lookups use the
    // unique index's prefix, and a new ticket has no window or appointment, so those two skip it.
    index('tickets_waiting_idx').on(t.siteId, t.dueAt).where(sql`status = 'waiting'`),
    index('tickets_window_set_idx').on(t.windowId).where(sql`window_id IS NOT NULL`),
    index('tickets_appointment_set_idx').on(t.appointmentId).where(sql`appointment_id IS NOT NULL`),
    // Partial indexes of statuses a ticket is never issued in, so issuing writes none of them. Without
    // them these reads go through every ticket a window or site ever served (migration 0011).
    index('tickets_window_busy_idx').on(t.windowId).where(sql`status IN ('called', 'serving')`),
    index('tickets_done_site_finished_idx').on(t.siteId, t.finishedAt).where(sql`status = 'done'`),
    index('tickets_suspended_resume_idx').on(t.resumeBy).where(sql`status = 'suspended'`),
  ],
);

/** Append-only log of every transition, with actor and time. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
    siteId: uuid('site_id').notNull(),
    type: text('type').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorKind: text('actor_kind', { enum: ['staff', 'citizen', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    windowId: uuid('window_id'),
    at: tz('at').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('ticket_events_ticket_idx').on(t.ticketId), index('ticket_events_site_at_idx').on(t.siteId, t.at)],
);

/**
 * Tickets `sla.atRisk` was sent for, so the sweep warns once. A table of its own rather than a column of
 * `tickets`: marking a waiting ticket would lock its row, and call-next (SKIP LOCKED) would pass over the
 * very tickets most at risk while the sweep held them.
 */
export const ticketSlaWarnings = pgTable('ticket_sla_warnings', {
  ticketId: uuid('ticket_id').primaryKey().references(() => tickets.id),
  siteId: uuid('site_id').notNull(),
  warnedAt: tz('warned_at').notNull(),
});

/**
 * Each wait range a citizen was shown after issue (one row per ticket and range; no personal data), kept to
 * report the estimate's accuracy at later updates beside the one given at issue.
 */
export const ticketEstimateUpdates = pgTable(
  'ticket_estimate_updates',
  {
    ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
    siteId: uuid('site_id').notNull(),
    shownAt: tz('shown_at').notNull(),
    etaMin: integer('eta_min').notNull(),
    lowMin: integer('low_min').notNull(),
    highMin: integer('high_min').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.etaMin, t.lowMin, t.highMin] }),
    index('ticket_estimate_updates_site_shown_idx').on(t.siteId, t.shownAt),
  ],
);

/** Atomic per-site, per-day, per-category number sequence. */
export const numberCounters = pgTable(
  'number_counters',
  {
    siteId: uuid('site_id').notNull(),
    day: date('day').notNull(),
    category: text('category').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.category] })],
);

/** A retried ticket creation with the same key returns the same ticket. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    /** The access token is returned again on a retry, so it is kept here, sealed with the server secret. */
    accessTokenSealed: text('access_token_sealed').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Per-site event sequence so a reconnecting client can detect gaps, shared by all nodes. */
export const siteEventSeq = pgTable('site_event_seq', {
  siteId: uuid('site_id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull().default(0),
});

/** Append-only audit of staff actions touching personal data or tickets. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tz('at').notNull().defaultNow(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    siteId: uuid('site_id'),
    subject: text('subject'),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_site_at_idx').on(t.siteId, t.at)],
);
