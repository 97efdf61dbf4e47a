/**
 * No request waits forever on the database. A transaction that never ends (a bug, a hung dependency inside
 * it) holds a ticket's row lock on Postgres, and the whole database on embedded PGlite: the clerk's next
 * step gets a clear 503 UNAVAILABLE within the bound, the stuck transaction is ended (rolled back) by its
 * own bound, and the server serves again; the log says so once (not once per refused request or console
 * handshake), /metrics counts it and /health answers 503 while it lasts. On 50bc98a the same steps hung:
 * Postgres waited on the lock without limit, PGlite on its one connection.
 * Runs on both targets (vitest.config.ts); the Postgres pool and statement bounds on Postgres only.
 */
import { sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_SPELL_MS } from '../../server/src/db/database-watch.ts';
import { databaseTimeoutKind } from '../../server/src/db/pg-errors.ts';
import { RootQueryInTransactionError } from '../../server/src/db/transaction-scope.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { bearer, createTestApp, onPglite, type TestApp } from '../helpers/test-app.ts';

/** Rationale: short enough for a test, long enough that a healthy statement on a busy 2-core host fits. */
const LIMITS = { waitMs: 400, statementMs: 3_000, lockMs: 400, transactionMs: 2_000 };

let t: TestApp;
let hall: Hall;
/** Every line the server logs, `level: message` (without a logger, request logs are the app's log). */
const logged: string[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp({ listen: true, config: { databaseLimits: LIMITS } });
  hall = await createHall(t);
  const log = t.app.log as unknown as Record<'error' | 'warn' | 'info' | 'debug', (obj: unknown, msg?: string) => void>;
  for (const level of ['error', 'warn', 'info', 'debug'] as const) {
    const original = log[level].bind(log);
    log[level] = (obj: unknown, msg?: string) => {
      logged.push(`${level}: ${typeof obj === 'string' ? obj : msg ?? ''}`);
      original(obj, msg);
    };
  }
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

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

  it('is one outage to /health and to the log, however many requests and consoles it refuses', async () => {
    const issued = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    expect(issued.status).toBe(201);
    // The event goes out before the outage begins (its publication reads the database).
    await t.app.deps.events.flush();
    logged.splice(0);
    // Holds what a clerk's request and a console's handshake read (the whole database on PGlite) until its own bound ends it.
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const locked = new Promise<void>((resolve) => (held = resolve));
    const hold = t.app.deps.db.transaction(async (tx) => {
      await tx.execute(sql`LOCK TABLE tickets, staff_sessions IN ACCESS EXCLUSIVE MODE`);
      held();
      await until;
    });
    hold.catch(() => undefined);
    await locked;

    // Twelve requests, three clerk consoles reconnecting and three phones watching their ticket, all within
    // the one stuck period (the phones connected before it: a handshake without a token reads nothing).
    const phones = await Promise.all(Array.from({ length: 3 }, () => connect(t.url, '/hall')));
    sockets.push(...phones);
    const [requests, handshakes, watches] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => t.api('GET', `/tickets/${issued.body.id}`, undefined, clerk()))),
      Promise.all(Array.from({ length: 3 }, () => connect(t.url, '/hall', { token: hall.tokens.clerk }).then(
        (s) => { sockets.push(s); return 'connected'; },
        (err: Error) => err.message,
      ))),
      Promise.all(phones.map((phone) => request(phone, 'ticket:watch', { ticketId: issued.body.id, accessToken: issued.body.accessToken }))),
    ]);
    expect(requests.map((r) => r.status)).toEqual(Array(12).fill(503));
    expect(handshakes).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(watches.map((w) => w.error?.code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    // Stuck shows in /health, also on Postgres, whose other connections still answer the probe's ping.
    const health = await t.api('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', db: 'down' });
    release();
    await hold.catch(() => undefined);

    // One line says the database is not answering; the refusals themselves are debug lines only.
    const loud = logged.filter((l) => l.startsWith('error') || l.startsWith('warn'));
    expect(loud).toHaveLength(1);
    expect(loud[0]).toMatch(/^error: database is not answering in time/);
    expect(logged.filter((l) => l.startsWith('debug') && l.includes('database is unavailable')).length).toBeGreaterThanOrEqual(12);

    // Once the database has answered for a quiet spell, /health is up again.
    await new Promise((r) => setTimeout(r, QUIET_SPELL_MS));
    expect((await t.api('GET', `/tickets/${issued.body.id}`, undefined, clerk())).status).toBe(200);
    const again = await t.api('GET', '/health');
    expect(again.status).toBe(200);
    expect(again.body.db).toBe('up');
  });
});

/**
 * The pool's bounds, which only Postgres has: PGlite has no pool (its wait bound is the gate's, above) and
 * runs statements in this process, where no statement_timeout can stop them.
 */
describe.skipIf(onPglite)('the Postgres pool and statement bounds', () => {
  /** Rationale: no lock_timeout, so a lock wait is ended by statement_timeout; a transaction may idle 10 s. */
  const BOUNDS = { waitMs: 300, statementMs: 500, lockMs: 0, transactionMs: 10_000 };
  /** The pool's size per node (createDatabase's default: the app does not set it). */
  const POOL_MAX = 20;
  let p: TestApp;
  let ph: Hall;
  beforeAll(async () => {
    p = await createTestApp({ config: { databaseLimits: BOUNDS } });
    ph = await createHall(p);
  });
  afterAll(async () => p?.close());

  const metric = async (kind: string) =>
    Number(new RegExp(`yc_database_timeouts_total\\{kind="${kind}"\\} (\\d+)`).exec((await p.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? 0);

  it('answers 503 UNAVAILABLE within the wait bound when every pool connection is held, and serves once one is free', async () => {
    const issued = await p.api('POST', `/sites/${ph.siteId}/tickets`, { serviceId: ph.services.general, channel: 'kiosk' });
    expect(issued.status).toBe(201);
    const waitsBefore = await metric('wait');
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let allHeld!: () => void;
    const full = new Promise<void>((resolve) => (allHeld = resolve));
    const holders = Array.from({ length: POOL_MAX }, () => p.app.deps.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT 1`);
      if (++running === POOL_MAX) allHeld();
      await until;
    }));
    await full;
    try {
      const startedAt = Date.now();
      const refused = await p.api('GET', `/tickets/${issued.body.id}`, undefined, bearer(ph.tokens.clerk));
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('UNAVAILABLE');
      expect(Date.now() - startedAt).toBeLessThan(BOUNDS.waitMs + 1_500);
    } finally {
      release();
      await Promise.all(holders);
    }
    expect(await metric('wait')).toBeGreaterThan(waitsBefore);
    expect((await p.api('GET', `/tickets/${issued.body.id}`, undefined, bearer(ph.tokens.clerk))).status).toBe(200);
  });

  it('ends a statement that runs past statement_timeout with 503 UNAVAILABLE, and the clerk can go on', async () => {
    // A statement that runs too long on its own, straight on the pool.
    const slept = await p.app.deps.db.execute(sql`SELECT pg_sleep(3)`).then(() => 'finished', (err: unknown) => databaseTimeoutKind(err));
    expect(slept).toBe('statement');

    // A clerk's request whose statement waits past the bound (on a row lock: no lock_timeout is set here).
    await p.api('POST', `/sites/${ph.siteId}/tickets`, { serviceId: ph.services.general, channel: 'kiosk' });
    expect((await p.api('POST', `/windows/${ph.windows.w1}/open`, undefined, bearer(ph.tokens.clerk))).status).toBe(200);
    const called = await p.api('POST', `/windows/${ph.windows.w1}/call-next`, undefined, bearer(ph.tokens.clerk));
    expect(called.body.status).toBe('called');
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const locked = new Promise<void>((resolve) => (held = resolve));
    const holder = p.app.deps.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM tickets WHERE id = ${called.body.id} FOR UPDATE`);
      held();
      await until;
    });
    const statementsBefore = await metric('statement');
    await locked;
    try {
      const startedAt = Date.now();
      const refused = await p.api('POST', `/tickets/${called.body.id}/start`, undefined, bearer(ph.tokens.clerk));
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('UNAVAILABLE');
      expect(Date.now() - startedAt).toBeLessThan(BOUNDS.statementMs + 2_000);
    } finally {
      release();
      await holder;
    }
    expect(await metric('statement')).toBeGreaterThan(statementsBefore);
    const started = await p.api('POST', `/tickets/${called.body.id}/start`, undefined, bearer(ph.tokens.clerk));
    expect(started.status).toBe(200);
    expect(started.body.status).toBe('serving');
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
