/**
 * Sign-in attempts per username typed, in the database so every node and every parallel request counts
 * together. An attempt is counted, and the lock decided, in ONE conditional upsert BEFORE the password hash is
 * checked: of any number of parallel guesses only as many get to the hash as serial guessing would (the
 * threshold, then one per lock period), and a right password among them is refused like any other once the
 * lock is in force. Success clears the count. Usernames that match no account count and lock the same way,
 * so a lockout says nothing about which accounts exist.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { loginThrottle } from '../db/schema/index.ts';

export type Gate = { allowed: true } | { allowed: false; retryAfterSec: number };

/** Rationale: lockout doubles from 1 minute per failure beyond the threshold, capped at an hour (2^6 min > 1 h). */
const FIRST_LOCK_SEC = 60;
const MAX_LOCK_SEC = 3600;
const MAX_DOUBLINGS = 6;

export function createLoginThrottle(db: Db, threshold: number) {
  /** Counts one attempt unless the name is locked; locks it when this attempt reaches the threshold. */
  async function enter(username: string, now: number): Promise<Gate> {
    const at = new Date(now).toISOString();
    const result = (await db.execute(sql`
      INSERT INTO login_throttle AS lt (username, failures, locked_until, updated_at)
      VALUES (${username}, 1, CASE WHEN 1 >= ${threshold}::int THEN ${at}::timestamptz + make_interval(secs => ${FIRST_LOCK_SEC}) END, ${at}::timestamptz)
      ON CONFLICT (username) DO UPDATE SET
        failures = lt.failures + 1,
        locked_until = CASE WHEN lt.failures + 1 >= ${threshold}::int
          THEN ${at}::timestamptz + make_interval(secs => least(${MAX_LOCK_SEC}, ${FIRST_LOCK_SEC} * power(2, least(${MAX_DOUBLINGS}, greatest(0, lt.failures + 1 - ${threshold}::int))))) END,
        updated_at = ${at}::timestamptz
      WHERE lt.locked_until IS NULL OR lt.locked_until <= ${at}::timestamptz
      RETURNING lt.failures`)) as unknown as { rows: unknown[] };
    if (result.rows.length > 0) return { allowed: true };
    const [row] = await db.select({ lockedUntil: loginThrottle.lockedUntil }).from(loginThrottle).where(eq(loginThrottle.username, username)).limit(1);
    const until = row?.lockedUntil?.getTime() ?? now;
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((until - now) / 1000)) };
  }

  /** The attempt proved the password (and any second factor): the count starts again. */
  async function succeeded(username: string): Promise<void> {
    await db.delete(loginThrottle).where(eq(loginThrottle.username, username));
  }

  /**
   * The password was right but the second factor was not sent yet (the first step of a two-step sign-in):
   * that attempt is not a failure, so it is given back; a lock it set is lifted only if the count falls below
   * the threshold again.
   */
  async function giveBack(username: string): Promise<void> {
    await db.execute(sql`
      UPDATE login_throttle SET failures = greatest(0, failures - 1),
        locked_until = CASE WHEN failures - 1 >= ${threshold}::int THEN locked_until END
      WHERE username = ${username}`);
  }

  /** Names not tried for a day and not locked: forgotten (the nightly job), so sprayed names do not pile up. */
  async function prune(now: number): Promise<void> {
    const before = new Date(now - 24 * 3600_000).toISOString();
    await db.execute(sql`DELETE FROM login_throttle WHERE updated_at < ${before}::timestamptz AND (locked_until IS NULL OR locked_until < ${new Date(now).toISOString()}::timestamptz)`);
  }

  return { enter, succeeded, giveBack, prune };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
