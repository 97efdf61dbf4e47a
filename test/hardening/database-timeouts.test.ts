/**
 * No request waits forever on the database. A transaction that never ends (a bug, a hung dependency inside
 * it) holds a ticket's row lock on Postgres, and the whole database on embedded PGlite: the clerk's next
 * step gets a clear 503 UNAVAILABLE within the bound, the stuck transaction is ended (rolled back) by its
 * own bound, and the server serves again; the log says so once, /metrics counts it. On 50bc98a the same
 * steps hung: Postgres waited on the lock without limit, PGlite on its one connection.
 * Runs on both targets (vitest.config.ts).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_SPELL_MS } from '../../server/src/db/database-watch.ts';
import { RootQueryInTransactionError } from '../../server/src/db/transaction-scope.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, onPglite, type TestApp } from '../helpers/test-app.ts';

/** Rationale: short enough for a test, long enough that a healthy statement on a busy 2-core host fits. */
const LIMITS = { waitMs: 400, statementMs: 3_000, lockMs: 400, transactionMs: 2_000 };

let t: TestApp;
let hall: Hall;
const logged: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ config: { databaseLimits: LIMITS } });
  hall = await createHall(t);
  const log = t.app.log as unknown as Record<'error' | 'info', (obj: unknown, msg?: string) => void>;
  for (const level of ['error', 'info'] as const) {
    const original = log[level].bind(log);
    log[level] = (obj: unknown, msg?: string) => {
      logged.push(`${level}: ${typeof obj === 'string' ? obj : msg ?? ''}`);
      original(obj, msg);
    };
  }
});
afterAll(async () => t?.close());

const clerk = () => bearer(hall.tokens.clerk);

async function calledTicket(): Promise<string> {
  await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
  expect((await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, clerk())).status).toBe(200);
  const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, clerk());
  expect(called.body.status).toBe('called');
  return called.body.id as string;
}

describe('a transaction that never ends', () => {
  it('gives the next request a 503 within the bound, is rolled back by its own bound, and the server recovers', async () => {
    const ticketId = await calledTicket();
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));
    // A stuck transaction inside the server: it locks the ticket, writes, and waits on something that never comes.
    const stuck = t.app.deps.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM tickets WHERE id = ${ticketId} FOR UPDATE`);
      await tx.execute(sql`UPDATE tickets SET note = 'written by the stuck transaction' WHERE id = ${ticketId}`);
      await never;
    });
    stuck.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));

    const startedAt = Date.now();
    const refused = await t.api('POST', `/tickets/${ticketId}/start`, undefined, clerk());
    const waited = Date.now() - startedAt;
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('UNAVAILABLE');
    expect(refused.headers['retry-after']).toBe('5');
    // Bounded: the lock (Postgres) or the turn (PGlite) was waited for about its bound, not forever.
    expect(waited).toBeLessThan(LIMITS.transactionMs);
    // A second refused request does not log again.
    expect((await t.api('POST', `/tickets/${ticketId}/start`, undefined, clerk())).status).toBe(503);

    // The stuck transaction's own bound ends it; its write is rolled back, and the clerk can start.
    await new Promise((r) => setTimeout(r, LIMITS.transactionMs + 500));
    const started = await t.api('POST', `/tickets/${ticketId}/start`, undefined, clerk());
    expect(started.status).toBe(200);
    expect(started.body.status).toBe('serving');
    const [row] = ((await t.app.deps.db.execute(sql`SELECT note FROM tickets WHERE id = ${ticketId}`)) as unknown as { rows: { note: string | null }[] }).rows;
    expect(row?.note).toBeNull();
    release();
    expect(logged.filter((l) => l.includes('database is not answering'))).toHaveLength(1);

    // Recovery is logged once the database has answered for a quiet spell.
    await new Promise((r) => setTimeout(r, QUIET_SPELL_MS));
    expect((await t.api('GET', `/tickets/${ticketId}`, undefined, clerk())).status).toBe(200);
    expect(logged.filter((l) => l.includes('database answers again'))).toHaveLength(1);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const kind = onPglite ? 'wait' : 'lock';
    expect(Number(new RegExp(`yc_database_timeouts_total\\{kind="${kind}"\\} (\\d+)`).exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    // Ended by its own bound: PGlite's gate, or Postgres's idle_in_transaction_session_timeout.
    expect(Number(/yc_database_timeouts_total\{kind="transaction"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/yc_database_stuck_seconds 0\b/);
  });

  it('shows in /health while the embedded database is held', async () => {
    // Postgres keeps answering /health on its other connections; PGlite has one, so there the probe fails.
    const held = t.app.deps.db.transaction(async () => new Promise((r) => setTimeout(r, 1_500)));
    const health = await t.api('GET', '/health');
    await held;
    expect(health.body.db).toBe(onPglite ? 'down' : 'up');
    expect((await t.api('GET', '/health')).body.db).toBe('up');
  });
});

describe('a root query inside a transaction', () => {
  it('fails at once with an error that names the fix, instead of waiting for itself', async () => {
    const db = t.app.deps.db;
    const startedAt = Date.now();
    const outcome = await db
      .transaction(async (tx) => {
        await tx.execute(sql`SELECT 1`);
        await db.execute(sql`SELECT 1`);
      })
      .then(() => 'completed', (err: { cause?: unknown }) => err.cause ?? err);
    expect(outcome).toBeInstanceOf(RootQueryInTransactionError);
    expect(String((outcome as Error).message)).toMatch(/pass the transaction \(tx\)/);
    expect(Date.now() - startedAt).toBeLessThan(LIMITS.waitMs);
    // Work the transaction started runs on the root handle once the transaction is over.
    expect(((await db.execute(sql`SELECT 1 AS one`)) as unknown as { rows: unknown[] }).rows).toEqual([{ one: 1 }]);
  });
});
