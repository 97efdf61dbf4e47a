/**
 * The notifications outbox: messages are written first (deduplicated by key), then delivered by a job
 * with retries. Delivery claims rows with `FOR UPDATE SKIP LOCKED` and a lease, so two nodes never send
 * the same row at once, and a row whose sender died mid-send is retried after its lease.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { notificationOutbox } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import { unseal } from '../lib/secrets.ts';
import type { NotificationChannel } from './notification-channel.ts';

export type OutboxRow = typeof notificationOutbox.$inferSelect;

/** Rationale: 1, 5, 15, 60 minutes: rides out a gateway restart without hammering it; 5 tries in all. */
const RETRY_DELAYS_MIN = [1, 5, 15, 60] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MIN.length + 1;
/** Rationale: far longer than a gateway call (5 s timeout), short enough to retry soon after a crash. */
const LEASE_MS = 60_000;
/** Rationale: one delivery run stays short; the next run takes the rest. */
const BATCH = 50;

export interface OutboxDeps {
  db: Db;
  clock: Clock;
  secret: string;
  channel: NotificationChannel;
  onError?: (err: unknown, row: OutboxRow) => void;
}

export function createOutbox(deps: OutboxDeps) {
  const { db, clock } = deps;

  /** Due rows, claimed for this sender. */
  async function claim(now: number, subjectId?: string): Promise<OutboxRow[]> {
    const result = (await db.execute(sql`
      UPDATE notification_outbox SET status = 'sending', attempts = attempts + 1, lease_until = ${new Date(now + LEASE_MS).toISOString()}
      WHERE id IN (
        SELECT id FROM notification_outbox
        WHERE ((status = 'pending' AND next_attempt_at <= ${new Date(now).toISOString()})
            OR (status = 'sending' AND lease_until < ${new Date(now).toISOString()}))
          ${subjectId ? sql`AND subject_id = ${subjectId}` : sql``}
        ORDER BY next_attempt_at
        LIMIT ${BATCH}
        FOR UPDATE SKIP LOCKED)
      RETURNING id`)) as { rows: { id: string | number }[] };
    const ids = result.rows.map((r) => Number(r.id));
    if (ids.length === 0) return [];
    return db.select().from(notificationOutbox).where(inArray(notificationOutbox.id, ids));
  }

  async function finish(id: number, set: Partial<typeof notificationOutbox.$inferInsert>) {
    await db.update(notificationOutbox).set({ leaseUntil: null, ...set }).where(and(eq(notificationOutbox.id, id), eq(notificationOutbox.status, 'sending')));
  }

  /** Sends what is due. Safe to run on several nodes at once and twice in a row. Returns rows sent. */
  async function deliverDue(options: { subjectId?: string } = {}): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = clock.now();
      const rows = await claim(now, options.subjectId);
      if (rows.length === 0) return sent;
      for (const row of rows) {
        if (row.expiresAt && row.expiresAt.getTime() <= now) {
          await finish(row.id, { status: 'expired', recipientSealed: null });
          continue;
        }
        const to = row.recipientSealed ? unseal(row.recipientSealed, deps.secret) : null;
        if (!to) {
          await finish(row.id, { status: 'failed', lastError: 'no recipient', recipientSealed: null });
          continue;
        }
        try {
          const r = await deps.channel.send({ id: row.id, to, toMasked: row.recipientMasked, text: row.body });
          await finish(row.id, { status: 'sent', sentAt: new Date(clock.now()), providerMessageId: r.providerMessageId, recipientSealed: null, channel: deps.channel.name, lastError: null });
          sent++;
        } catch (err) {
          deps.onError?.(err, row);
          const delay = RETRY_DELAYS_MIN[row.attempts - 1];
          const lastError = err instanceof Error ? err.message.slice(0, 200) : 'send failed';
          await finish(row.id, delay === undefined
            ? { status: 'failed', lastError, recipientSealed: null }
            : { status: 'pending', lastError, nextAttemptAt: new Date(clock.now() + delay * 60_000) });
        }
      }
      if (rows.length < BATCH) return sent;
    }
  }

  /** Pending messages about a subject that no longer apply (a cancelled appointment). */
  async function cancelFor(tx: Tx, subjectId: string): Promise<void> {
    await tx
      .update(notificationOutbox)
      .set({ status: 'cancelled', recipientSealed: null })
      .where(and(eq(notificationOutbox.subjectId, subjectId), eq(notificationOutbox.status, 'pending')));
  }

  return { deliverDue, cancelFor, channelName: deps.channel.name };
}

export type Outbox = ReturnType<typeof createOutbox>;
