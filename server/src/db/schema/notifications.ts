import { sql } from 'drizzle-orm';
import { bigserial, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled', 'expired'] as const;

/**
 * Every message to a citizen is written here first, then delivered by a job: nothing is lost when the
 * gateway or the process is down, and `dedupeKey` makes sure nothing is written (so sent) twice.
 */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** e.g. `appointment.reminder`. */
    topic: text('topic').notNull(),
    /** e.g. `dayBefore`, `hourBefore`. */
    kind: text('kind').notNull(),
    /** What the message is about (an appointment id). */
    subjectId: uuid('subject_id').notNull(),
    /** Unique per message that must go out once, e.g. `appointment:<id>:hourBefore:<slot start ms>`. */
    dedupeKey: text('dedupe_key').notNull(),
    channel: text('channel').notNull(),
    /** Sealed with the server secret; blanked once the message is sent or given up. */
    recipientSealed: text('recipient_sealed'),
    recipientMasked: text('recipient_masked').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tz('next_attempt_at').notNull(),
    /** A `sending` row whose lease ran out (the process died mid-send) is tried again. */
    leaseUntil: tz('lease_until'),
    /** Not worth sending after this (a reminder after its slot began). */
    expiresAt: tz('expires_at'),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    createdAt: tz('created_at').notNull(),
    sentAt: tz('sent_at'),
  },
  (t) => [
    uniqueIndex('notification_outbox_dedupe_uq').on(t.dedupeKey),
    index('notification_outbox_due_idx').on(t.nextAttemptAt).where(sql`status IN ('pending', 'sending')`),
    index('notification_outbox_subject_idx').on(t.subjectId),
  ],
);
