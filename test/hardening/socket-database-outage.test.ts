/**
 * A database that stops answering does not leave `/hall` clients hanging or sign clerks out: a watch gets an
 * `UNAVAILABLE` ack within the database's bound (it used to get no ack at all), a clerk console's handshake is
 * refused `UNAVAILABLE` (it used to be `UNAUTHENTICATED`, which a console reads as signed out), and both work
 * again once the database answers. Runs on both targets (vitest.config.ts).
 */
import { sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** Rationale: short bounds so the outage is answered quickly; long enough for a healthy statement here. */
const LIMITS = { waitMs: 400, statementMs: 3_000, lockMs: 400, transactionMs: 20_000 };

let t: TestApp;
let hall: Hall;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await createTestApp({ listen: true, config: { databaseLimits: LIMITS } });
  hall = await createHall(t);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

/** Holds the tables a watch and a staff handshake read until `release` (the whole database on PGlite). */
async function holdDatabase(): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const locked = new Promise<void>((resolve) => (held = resolve));
  const tx = t.app.deps.db.transaction(async (tx) => {
    await tx.execute(sql`LOCK TABLE tickets, staff_sessions IN ACCESS EXCLUSIVE MODE`);
    held();
    await until;
  });
  tx.catch(() => undefined);
  await locked;
  return { release: async () => { release(); await tx.catch(() => undefined); } };
}

describe('/hall while the database is not answering', () => {
  it('acks a watch UNAVAILABLE and refuses a clerk handshake UNAVAILABLE, not UNAUTHENTICATED; both work once it answers', async () => {
    const issued = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    expect(issued.status).toBe(201);
    const phone = await connect(t.url, '/hall');
    sockets.push(phone);
    const watch = { ticketId: issued.body.id, accessToken: issued.body.accessToken };

    const hold = await holdDatabase();
    try {
      const refused = await request(phone, 'ticket:watch', watch);
      expect(refused.error?.code).toBe('UNAVAILABLE');
      const handshake = await connect(t.url, '/hall', { token: hall.tokens.clerk }).then(
        (s) => { sockets.push(s); return 'connected'; },
        (err: Error) => err.message,
      );
      expect(handshake).toBe('UNAVAILABLE');
    } finally {
      await hold.release();
    }

    expect(await request(phone, 'ticket:watch', watch)).toEqual({ data: { ticketId: issued.body.id } });
    const clerk = await connect(t.url, '/hall', { token: hall.tokens.clerk });
    sockets.push(clerk);
    expect(clerk.connected).toBe(true);
  });
});
