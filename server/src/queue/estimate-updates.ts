/**
 * The estimates a citizen saw after issue, kept beside the ticket so their accuracy can be reported like the
 * one given at issue (issue #17 item 3). A citizen's phone reads its ticket again whenever the queue moves;
 * a read that shows a range the ticket has not shown before is one update. The same range shown again (many
 * refreshes, or two nodes) is stored once: the table's key is the ticket and the range.
 *
 * A courtesy like the estimate itself: a failed write is logged and the citizen's read still answers.
 * Writes go in batches (`createWriteBatcher`) so a queue move that makes a thousand phones refresh costs a
 * few statements, and this node remembers what it stored so unchanged refreshes cost none.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { createWriteBatcher } from '../lib/write-batcher.ts';

export interface ShownEstimate {
  ticketId: string;
  siteId: string;
  shownAt: number;
  etaMin: number;
  lowMin: number;
  highMin: number;
}

/** Rationale: a busy district hall has a few thousand tickets waiting at most; older entries are done with. */
const REMEMBERED_TICKETS = 20_000;
const MAX_BATCH = 500;

export interface EstimateUpdates {
  /** Keep `shown` unless this ticket already showed that range. Never throws, never waits for the write. */
  record(shown: ShownEstimate): void;
}

export function createEstimateUpdates(db: Db, log?: { warn(obj: object, msg: string): void }): EstimateUpdates {
  const lastStored = new Map<string, string>();
  const writer = createWriteBatcher(
    async (items: ShownEstimate[]) => {
      const column = <T>(pick: (r: ShownEstimate) => T) => sql.param(items.map(pick));
      await db.execute(sql`
        INSERT INTO ticket_estimate_updates (ticket_id, site_id, shown_at, eta_min, low_min, high_min)
        SELECT * FROM unnest(${column((r) => r.ticketId)}::uuid[], ${column((r) => r.siteId)}::uuid[],
          ${column((r) => new Date(r.shownAt).toISOString())}::timestamptz[], ${column((r) => r.etaMin)}::int[],
          ${column((r) => r.lowMin)}::int[], ${column((r) => r.highMin)}::int[])
        ON CONFLICT DO NOTHING`);
      return items.map(() => undefined);
    },
    { maxBatch: MAX_BATCH, causedByOneWrite: () => false },
  );
  return {
    record(shown) {
      const key = `${shown.etaMin}/${shown.lowMin}/${shown.highMin}`;
      if (lastStored.get(shown.ticketId) === key) return;
      // Map order is insertion order: re-inserting keeps the ticket among the newest.
      lastStored.delete(shown.ticketId);
      lastStored.set(shown.ticketId, key);
      if (lastStored.size > REMEMBERED_TICKETS) lastStored.delete(lastStored.keys().next().value as string);
      writer.write(shown).catch((err: unknown) => {
        lastStored.delete(shown.ticketId);
        log?.warn({ err, ticketId: shown.ticketId }, 'an estimate the citizen saw was not kept');
      });
    },
  };
}
