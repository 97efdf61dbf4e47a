/**
 * The count of places left, shared by two nodes through Redis (or kept by one node in memory): a full slot
 * is refused without the database, every place is granted by the database alone, and a place given back on
 * one node is offered again at once on the other.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp, onPglite } from '../helpers/test-app.ts';
import { book, FRIDAY_10, MORNINGS, person, relaxedLimits, rows, setRules, slots } from './helpers.ts';

/** The embedded-database project of the test run (PGlite), where one process owns the database. */

/** Rationale: far beyond a refusal answered from memory or Redis, far below the test's own timeout. */
const BLOCKED_AFTER_MS = 5_000;

/**
 * Holds an ACCESS EXCLUSIVE lock on appointment_slots while `fn` runs: any statement touching the slot
 * counts, even a plain read, waits until it is released. What `fn` gets answered meanwhile needed none.
 */
async function withSlotTableLocked<T>(url: string, fn: () => Promise<T>): Promise<T | 'blocked'> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE appointment_slots IN ACCESS EXCLUSIVE MODE');
    let timer: NodeJS.Timeout | undefined;
    const blocked = new Promise<'blocked'>((resolve) => (timer = setTimeout(() => resolve('blocked'), BLOCKED_AFTER_MS)));
    const result = await Promise.race([fn(), blocked]);
    clearTimeout(timer);
    return result;
  } finally {
    await client.query('ROLLBACK');
    await client.end();
  }
}

function scenarios(name: string, nodes: () => { a: TestApp; b: TestApp; hall: Hall }, options: { lockable: boolean }) {
  let next = 0;
  const someone = () => person(next++);
  const bookOn = (t: TestApp, start: string, citizen = someone()) => {
    const { hall } = nodes();
    return book(t, { siteId: hall.siteId, serviceId: hall.services.general, start, citizen });
  };
  const codeOf = (r: { status: number; body: any }) => (r.status === 201 ? 'ok' : `${r.status} ${r.body?.error?.code}`);

  describe(name, () => {
    it('grants exactly the places there are when 120 people race on both nodes for three slots', async () => {
      const { a, b, hall } = nodes();
      const starts = ['2026-11-24T09:00:00+08:00', '2026-11-24T09:30:00+08:00', '2026-11-24T10:00:00+08:00'];
      const capacity = (await slots(a, hall.siteId, hall.services.general, '2026-11-24')).find((s) => s.start === starts[0])?.capacity ?? 0;
      expect(capacity).toBeGreaterThan(0);
      const results = await Promise.all(Array.from({ length: 120 }, (_, i) => bookOn(i % 2 ? b : a, starts[i % 3] as string)));
      const codes = results.map(codeOf);
      expect(codes.filter((c) => c === 'ok')).toHaveLength(3 * capacity);
      expect(codes.filter((c) => c === '409 SLOT_FULL')).toHaveLength(120 - 3 * capacity);
      const stored = await rows<{ start: Date; booked: number; held: number }>(a, sql`
        SELECT s.start, s.booked,
          (SELECT count(*)::int FROM appointments p WHERE p.service_id = s.service_id AND p.start = s.start AND p.status = 'booked') AS held
        FROM appointment_slots s WHERE s.service_id = ${hall.services.general} AND s.start >= '2026-11-24T09:00:00+08:00' AND s.start <= '2026-11-24T10:00:00+08:00'`);
      expect(stored).toHaveLength(3);
      for (const s of stored) expect([s.booked, s.held]).toEqual([capacity, capacity]);
      // Each node now knows: both refuse at once, with the contract's body.
      for (const t of [a, b]) {
        const refused = await bookOn(t, starts[0] as string);
        expect(refused.status).toBe(409);
        expect(refused.body.error).toMatchObject({ code: 'SLOT_FULL', details: { start: starts[0] } });
      }
    });

    it.skipIf(!options.lockable)('refuses a slot filled through node A, on node B, without a database statement', async () => {
      const { a, b } = nodes();
      const start = '2026-11-25T11:00:00+08:00';
      // Filled through node A only.
      for (let i = 0; ; i++) {
        const r = await bookOn(a, start);
        if (r.status === 409) break;
        expect(r.status).toBe(201);
        expect(i).toBeLessThan(20);
      }
      // On the code before this change node B read the slot's row for every refusal: that read waits for the lock.
      const answer = await withSlotTableLocked(a.database.url, () => bookOn(b, start));
      expect(answer === 'blocked' ? 'blocked' : codeOf(answer)).toBe('409 SLOT_FULL');
    });

    it('offers a place given back on one node at once on the other, and keeps the per-person rules', async () => {
      const { a, b, hall } = nodes();
      const start = '2026-11-25T09:00:00+08:00';
      const held: { id: string; accessToken: string }[] = [];
      for (;;) {
        const r = await bookOn(a, start);
        if (r.status === 409) break;
        held.push(r.body);
      }
      expect(codeOf(await bookOn(b, start))).toBe('409 SLOT_FULL');
      const first = held[0] as { id: string; accessToken: string };
      expect((await a.api('POST', `/appointments/${first.id}/cancel`, undefined, { 'x-access-token': first.accessToken })).status).toBe(200);
      const me = someone();
      expect(codeOf(await bookOn(b, start, me))).toBe('ok');
      expect(codeOf(await bookOn(a, start))).toBe('409 SLOT_FULL');
      // The same person, the same item, another slot that day: still one booking per person, item and day.
      expect(codeOf(await bookOn(a, '2026-11-25T10:30:00+08:00', me))).toBe('409 DUPLICATE_BOOKING');
      // More places by new rules are offered on both nodes at once.
      await setRules(a, hall.adminToken, hall.siteId, hall.services.general, { ...MORNINGS, appointmentShare: 1 });
      expect(codeOf(await bookOn(b, start))).toBe('ok');
      const after = (await slots(b, hall.siteId, hall.services.general, '2026-11-25')).find((s) => s.start === start);
      expect(after?.remaining).toBe((after?.capacity ?? 0) - held.length - 1);
    });
  });
}

// Two processes cannot share one PGlite folder: the two-node case needs Postgres.
// Two live nodes on one database: the embedded default is one process (vitest.config.ts).
describe.skipIf(onPglite)('two nodes over Redis and Postgres', () => {
  const clock = manualClock(FRIDAY_10);
  let a: TestApp;
  let b: TestApp;
  let hall: Hall;
  beforeAll(async () => {
    const redisPrefix = `yct-sp-${randomBytes(4).toString('hex')}`;
    const config = { rateLimit: relaxedLimits(), staffTokenTtlMin: 60 * 24 * 30 };
    a = await createTestApp({ redis: true, redisPrefix, clock, config });
    b = await createTestApp({ redis: true, redisPrefix, clock, config, database: a.database });
    hall = await createHall(a);
    await setRules(a, hall.adminToken, hall.siteId, hall.services.general, MORNINGS);
    expect((await b.api('GET', `/admin/sites/${hall.siteId}/services/${hall.services.general}/booking-rules`, undefined, bearer(hall.adminToken))).status).toBe(200);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });
  scenarios('a count of places shared through Redis', () => ({ a, b, hall }), { lockable: true });
});

describe('one node, no Redis', () => {
  const clock = manualClock(FRIDAY_10);
  let a: TestApp;
  let hall: Hall;
  beforeAll(async () => {
    a = await createTestApp({ clock, config: { rateLimit: relaxedLimits(), staffTokenTtlMin: 60 * 24 * 30 } });
    hall = await createHall(a);
    await setRules(a, hall.adminToken, hall.siteId, hall.services.general, MORNINGS);
  });
  afterAll(async () => a?.close());
  scenarios('a count of places in memory', () => ({ a, b: a, hall }), { lockable: !onPglite });
});
