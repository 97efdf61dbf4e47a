import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sites } from './sites.ts';
import { staff } from './staff.ts';
import { tickets } from './tickets.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });

/** What a clerk asked for help with, whom it rang, who answered. */
export const assistSessions = pgTable(
  'assist_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The SFU room: `as-<id>`. */
    roomId: text('room_id').notNull().unique(),
    /** The requesting site (the clerk's station). */
    siteId: uuid('site_id').notNull().references(() => sites.id),
    ticketId: uuid('ticket_id').references(() => tickets.id),
    requestedBy: uuid('requested_by').notNull().references(() => staff.id),
    reason: text('reason').notNull(),
    target: jsonb('target').$type<{ siteId?: string; level?: string; region?: string; skill?: string }>().notNull(),
    status: text('status', { enum: ['ringing', 'active', 'ended'] }).notNull(),
    /** Experts rung so far, in ring order. Any of them may accept while the session rings. */
    rungStaffIds: uuid('rung_staff_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** Escalation steps taken (0 = the first ring). */
    stage: integer('stage').notNull().default(0),
    /** When the sweep next looks at this ringing session; null once answered or ended. */
    nextEscalationAt: tz('next_escalation_at'),
    requestedAt: tz('requested_at').notNull(),
    acceptedBy: uuid('accepted_by').references(() => staff.id),
    acceptedAt: tz('accepted_at'),
    answerMs: integer('answer_ms'),
    endedAt: tz('ended_at'),
    endedBy: uuid('ended_by'),
    endReason: text('end_reason', { enum: ['completed', 'cancelled', 'unanswered'] }),
    /** The requesting site's policy at request time: record every track for audit. */
    recorded: boolean('recorded').notNull().default(false),
  },
  (t) => [
    index('assist_sessions_due_idx').on(t.nextEscalationAt).where(sql`status = 'ringing'`),
    index('assist_sessions_site_idx').on(t.siteId, t.requestedAt),
    index('assist_sessions_rung_idx').using('gin', t.rungStaffIds),
  ],
);

/** Who may enter a session's room: the requester, the expert who accepted, anyone invited mid-call. */
export const assistParticipants = pgTable(
  'assist_participants',
  {
    sessionId: uuid('session_id').notNull().references(() => assistSessions.id),
    staffId: uuid('staff_id').notNull().references(() => staff.id),
    kind: text('kind', { enum: ['requester', 'expert', 'invited'] }).notNull(),
    invitedBy: uuid('invited_by'),
    addedAt: tz('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.staffId] }), index('assist_participants_staff_idx').on(t.staffId)],
);

/**
 * Append-only log of every video room (assistance sessions and virtual-window calls): requested, rang whom,
 * accepted by, joined/left, share started/stopped, recordings, quality summary, ended. Rows are only inserted.
 */
export const videoRoomEvents = pgTable(
  'video_room_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    roomId: text('room_id').notNull(),
    sessionId: uuid('session_id'),
    ticketId: uuid('ticket_id'),
    type: text('type').notNull(),
    actorKind: text('actor_kind', { enum: ['staff', 'citizen', 'system'] }).notNull(),
    actorId: text('actor_id'),
    at: tz('at').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('video_room_events_room_idx').on(t.roomId, t.id), index('video_room_events_session_idx').on(t.sessionId)],
);

/** One track of a recorded room, written by ffmpeg without re-encoding and hashed when complete. */
export const videoRecordings = pgTable(
  'video_recordings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: text('room_id').notNull(),
    sessionId: uuid('session_id'),
    ticketId: uuid('ticket_id'),
    participantId: text('participant_id').notNull(),
    producerId: text('producer_id').notNull(),
    kind: text('kind', { enum: ['audio', 'video'] }).notNull(),
    source: text('source').notNull(),
    /** Relative to the recordings directory. */
    file: text('file').notNull(),
    status: text('status', { enum: ['recording', 'stored', 'failed'] }).notNull(),
    /** The media node recording it (`YC_MEDIA_NODE_ID`); null on rows from before migration 0010. */
    nodeId: text('node_id'),
    sha256: text('sha256'),
    bytes: bigint('bytes', { mode: 'number' }),
    durationMs: integer('duration_ms'),
    error: text('error'),
    startedAt: tz('started_at').notNull(),
    endedAt: tz('ended_at'),
  },
  (t) => [index('video_recordings_room_idx').on(t.roomId), index('video_recordings_session_idx').on(t.sessionId)],
);
