import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { book, FRIDAY_10, MORNINGS, person, relaxedLimits, setRules, slots, rows } from './helpers.ts';

let t: TestApp;
let hall: Hall;
const clock = manualClock(FRIDAY_10);
let next = 0;
/** A new citizen for each booking unless a test says otherwise. */
const someone = () => person(next++);

beforeAll(async () => {
  t = await createTestApp({ redis: true, clock, config: { rateLimit: relaxedLimits(), staffTokenTtlMin: 60 * 24 * 30 } });
  hall = await createHall(t);
  await setRules(t, hall.adminToken, hall.siteId, hall.services.general, MORNINGS);
  await setRules(t, hall.adminToken, hall.siteId, hall.services.complex, MORNINGS);
});
afterAll(async () => t?.close());

const general = (start: string, citizen = someone(), extra: Record<string, unknown> = {}) =>
  book(t, { siteId: hall.siteId, serviceId: hall.services.general, start, citizen, ...extra });
const complex = (start: string, citizen = someone(), extra: Record<string, unknown> = {}) =>
  book(t, { siteId: hall.siteId, serviceId: hall.services.complex, start, citizen, ...extra });

/** Every slot row's booked count equals its active appointments: no place lost, none counted twice. */
async function expectPlacesConsistent() {
  const slotRows = await rows<{ booked: number; capacity: number; held: number }>(t, sql`
    SELECT s.service_id, s.start, s.booked, s.capacity,
      (SELECT count(*)::int FROM appointments a WHERE a.service_id = s.service_id AND a.start = s.start AND a.status IN ('booked', 'checkedIn', 'noShow', 'done')) AS held
    FROM appointment_slots s`);
  for (const r of slotRows) {
    expect(r.booked).toBe(r.held);
    expect(r.booked).toBeLessThanOrEqual(r.capacity);
  }
}

describe('booking rules and slots', () => {
  it('derives slot capacity from the windows serving the item, its handling time and the appointment share', async () => {
    // General item: 3 windows serve it (two physical, one virtual), 20-minute handling, 30-minute slots, half
    // for appointments → 2.25 places a slot: 2, 2, 2, 3, 2, 2.
    const monday = await slots(t, hall.siteId, hall.services.general, '2026-11-23');
    expect(monday.map((s) => s.start)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'].map((h) => `2026-11-23T${h}:00+08:00`));
    expect(monday.map((s) => s.capacity)).toEqual([2, 2, 2, 3, 2, 2]);
    expect(monday.every((s) => s.remaining === s.capacity)).toBe(true);
    // Complex item: 2 windows → 1.5 a slot.
    expect((await slots(t, hall.siteId, hall.services.complex, '2026-11-23')).map((s) => s.capacity)).toEqual([1, 2, 1, 2, 1, 2]);
    const rules = await t.api('GET', `/admin/sites/${hall.siteId}/services/${hall.services.general}/booking-rules`, undefined, bearer(hall.tokens.supervisor));
    expect(rules.status).toBe(200);
    expect(rules.body).toMatchObject({ isDefault: false, slotMinutes: 30, derivation: { windowsServing: 3, meanHandleMin: 20, capacityPerSlot: 2.25 } });
  });

  it('offers nothing on weekends, closed dates, past slots or beyond the horizon', async () => {
    expect(await slots(t, hall.siteId, hall.services.general, '2026-11-21')).toEqual([]);
    expect(await slots(t, hall.siteId, hall.services.general, '2026-11-26')).toEqual([]);
    expect(await slots(t, hall.siteId, hall.services.general, '2026-11-19')).toEqual([]);
    expect(await slots(t, hall.siteId, hall.services.general, '2026-11-30')).toEqual([]);
    // Friday 10:00 now: today's 10:00 slot has begun, 10:30 onwards are left.
    expect((await slots(t, hall.siteId, hall.services.general, '2026-11-20'))[0]?.start).toBe('2026-11-20T10:30:00+08:00');
  });

  it('uses the default hall hours for an item nobody configured, so every item can be booked', async () => {
    const other = await slots(t, hall.siteId, hall.services.other, '2026-11-23');
    expect(other[0]?.start).toBe('2026-11-23T09:00:00+08:00');
    expect(other.some((s) => s.start === '2026-11-23T13:30:00+08:00')).toBe(true);
  });

  it('lets only admins set rules, and refuses rules that make no sense', async () => {
    const path = `/admin/sites/${hall.siteId}/services/${hall.services.general}/booking-rules`;
    expect((await t.api('PUT', path, MORNINGS, bearer(hall.tokens.supervisor))).status).toBe(403);
    expect((await t.api('PUT', path, MORNINGS)).status).toBe(401);
    const overlap = await t.api('PUT', path, { ...MORNINGS, openingHours: { mon: [['09:00', '12:00'], ['11:00', '13:00']] } }, bearer(hall.adminToken));
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.details.field).toBe('openingHours.mon');
    const share = await t.api('PUT', path, { ...MORNINGS, appointmentShare: 2 }, bearer(hall.adminToken));
    expect(share.status).toBe(400);
    const wrongSite = await t.api('PUT', `/admin/sites/${hall.otherSiteId}/services/${hall.services.general}/booking-rules`, MORNINGS, bearer(hall.adminToken));
    expect(wrongSite.status).toBe(404);
  });
});

describe('booking', () => {
  it('books a slot, returns a code and a token, and stores the person only hashed and masked', async () => {
    const citizen = someone();
    const res = await general('2026-11-24T09:00:00+08:00', citizen);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'hall', status: 'booked', start: '2026-11-24T09:00:00+08:00', end: '2026-11-24T09:30:00+08:00' });
    expect(res.body.code).toMatch(/^[A-Z2-9]{8}$/);
    expect(typeof res.body.accessToken).toBe('string');
    expect(res.body.citizen.idNumber).toBe(`${citizen.idNumber.slice(0, 4)}**********${citizen.idNumber.slice(-4)}`);
    expect(res.body.citizen.phone).toBe(`${citizen.phone.slice(0, 3)}****${citizen.phone.slice(-4)}`);
    const stored = JSON.stringify((await rows(t, sql`SELECT * FROM appointments WHERE id = ${res.body.id}`)));
    expect(stored).not.toContain(citizen.idNumber);
    expect(stored).not.toContain(citizen.phone);
    expect(stored).not.toContain(citizen.name);
    const read = await t.api('GET', `/appointments/${res.body.id}`, undefined, { 'x-access-token': res.body.accessToken });
    expect(read.status).toBe(200);
    expect(read.body.accessToken).toBeUndefined();
    expect(read.body.checkIn).toEqual({ opensAt: '2026-11-24T08:30:00+08:00', closesAt: '2026-11-24T09:15:00+08:00' });
    const left = await slots(t, hall.siteId, hall.services.general, '2026-11-24');
    expect(left[0]).toMatchObject({ capacity: 2, remaining: 1 });
  });

  it('refuses bad identities, unknown or past slots and dates not yet open, with the field named', async () => {
    const valid = someone();
    const badId = await general('2026-11-24T10:00:00+08:00', { ...valid, idNumber: valid.idNumber.slice(0, 17) + (valid.idNumber[17] === '0' ? '1' : '0') });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details.field).toBe('citizen.idNumber');
    const badPhone = await general('2026-11-24T10:00:00+08:00', { ...someone(), phone: '12345678901' });
    expect(badPhone.body.error.details.field).toBe('citizen.phone');
    for (const start of ['2026-11-24T09:10:00+08:00', '2026-11-20T09:00:00+08:00', '2026-11-26T09:00:00+08:00', '2026-12-01T09:00:00+08:00', '2026-11-24T14:00:00+08:00']) {
      const res = await general(start);
      expect(res.status, start).toBe(400);
      expect(res.body.error.details.field).toBe('start');
    }
    const missingName = await t.api('POST', '/appointments', { siteId: hall.siteId, serviceId: hall.services.general, start: '2026-11-24T10:00:00+08:00', citizen: { idNumber: someone().idNumber, phone: '13800000000' } });
    expect(missingName.status).toBe(400);
    const otherSiteItem = await book(t, { siteId: hall.otherSiteId, serviceId: hall.services.general, start: '2026-11-24T10:00:00+08:00', citizen: someone() });
    expect(otherSiteItem.status).toBe(400);
  });

  it('never overbooks: 30 people racing for a 2-place slot get exactly 2 bookings and 28 SLOT_FULL', async () => {
    const start = '2026-11-25T09:30:00+08:00';
    const results = await Promise.all(Array.from({ length: 30 }, () => general(start)));
    const codes = results.map((r) => (r.status === 201 ? 'ok' : r.body.error.code));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(2);
    expect(codes.filter((c) => c === 'SLOT_FULL')).toHaveLength(28);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect((await slots(t, hall.siteId, hall.services.general, '2026-11-25')).find((s) => s.start === start)).toMatchObject({ capacity: 2, remaining: 0 });
    await expectPlacesConsistent();
  });

  it('allows one active booking per person, item and day, even when the same person races', async () => {
    const me = someone();
    const first = await general('2026-11-27T09:00:00+08:00', me);
    expect(first.status).toBe(201);
    const again = await general('2026-11-27T11:00:00+08:00', me);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DUPLICATE_BOOKING');
    // Another item the same day, or the same item another day, is fine.
    expect((await complex('2026-11-27T09:00:00+08:00', me)).status).toBe(201);
    // Once cancelled, the day is free again.
    expect((await t.api('POST', `/appointments/${first.body.id}/cancel`, undefined, { 'x-access-token': first.body.accessToken })).status).toBe(200);
    expect((await general('2026-11-27T11:00:00+08:00', me)).status).toBe(201);

    const racer = someone();
    const race = await Promise.all(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'].map((h) => general(`2026-11-25T${h}:00+08:00`, racer)));
    expect(race.filter((r) => r.status === 201)).toHaveLength(1);
    // The racer's first request to win the lock books; the rest are duplicates (or hit a slot already full).
    expect(race.filter((r) => r.status !== 201).every((r) => r.status === 409 && ['DUPLICATE_BOOKING', 'SLOT_FULL'].includes(r.body.error.code))).toBe(true);
    await expectPlacesConsistent();
  });

  it('caps the active appointments of one person', async () => {
    const me = someone();
    for (const day of ['23', '24', '25']) expect((await complex(`2026-11-${day}T11:00:00+08:00`, me)).status).toBe(201);
    const fourth = await complex('2026-11-27T11:00:00+08:00', me);
    expect(fourth.status).toBe(409);
    expect(fourth.body.error.code).toBe('TOO_MANY_APPOINTMENTS');
    expect(fourth.body.error.details.limit).toBe(3);
  });

  it('cancels once, gives the place back, and lets only the holder or staff of the site cancel', async () => {
    const mine = await complex('2026-11-24T10:00:00+08:00');
    const theirs = await complex('2026-11-24T10:30:00+08:00');
    expect((await slots(t, hall.siteId, hall.services.complex, '2026-11-24')).find((s) => s.start === '2026-11-24T10:00:00+08:00')?.remaining).toBe(0);
    expect((await t.api('POST', `/appointments/${theirs.body.id}/cancel`, undefined, { 'x-access-token': mine.body.accessToken })).status).toBe(403);
    expect((await t.api('POST', `/appointments/${theirs.body.id}/cancel`)).status).toBe(401);
    expect((await t.api('POST', `/appointments/${theirs.body.id}/cancel`, undefined, bearer(hall.tokens.otherClerk))).status).toBe(403);
    const cancelled = await t.api('POST', `/appointments/${mine.body.id}/cancel?t=${mine.body.accessToken}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const twice = await t.api('POST', `/appointments/${mine.body.id}/cancel`, undefined, { 'x-access-token': mine.body.accessToken });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('INVALID_TRANSITION');
    expect((await slots(t, hall.siteId, hall.services.complex, '2026-11-24')).find((s) => s.start === '2026-11-24T10:00:00+08:00')?.remaining).toBe(1);
    expect((await t.api('POST', `/appointments/${theirs.body.id}/cancel`, undefined, bearer(hall.tokens.clerk))).status).toBe(200);
    await expectPlacesConsistent();
  });

  it('shows staff the day list and finds an appointment by its code; other sites see nothing', async () => {
    const b = await complex('2026-11-25T10:00:00+08:00');
    const list = await t.api('GET', `/appointments?siteId=${hall.siteId}&date=2026-11-25`, undefined, bearer(hall.tokens.clerk));
    expect(list.status).toBe(200);
    expect(list.body.map((a: { id: string }) => a.id)).toContain(b.body.id);
    expect(list.body.every((a: { citizen: { idNumber: string } }) => a.citizen.idNumber.includes('*'))).toBe(true);
    expect((await t.api('GET', `/appointments?siteId=${hall.siteId}&date=2026-11-25`, undefined, bearer(hall.tokens.otherClerk))).status).toBe(403);
    expect((await t.api('GET', `/appointments?siteId=${hall.siteId}&date=2026-11-25`)).status).toBe(401);
    const byCode = await t.api('GET', `/appointments/by-code/${b.body.code.toLowerCase()}`, undefined, bearer(hall.tokens.clerk));
    expect(byCode.status).toBe(200);
    expect(byCode.body.id).toBe(b.body.id);
    expect((await t.api('GET', `/appointments/by-code/${b.body.code}`, undefined, bearer(hall.tokens.otherClerk))).status).toBe(404);
  });

  it('keeps existing bookings when the rules change, and derives the new capacities for the rest', async () => {
    const booked = await complex('2026-11-23T09:30:00+08:00');
    expect(booked.status).toBe(201);
    await setRules(t, hall.adminToken, hall.siteId, hall.services.complex, { ...MORNINGS, appointmentShare: 1 });
    const monday = await slots(t, hall.siteId, hall.services.complex, '2026-11-23');
    // 2 windows × 30 ÷ 20 × 1 = 3 a slot; the booked 09:30 slot now has 2 left.
    expect(monday.map((s) => s.capacity)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(monday[1]?.remaining).toBe(2);
    await setRules(t, hall.adminToken, hall.siteId, hall.services.complex, { ...MORNINGS, appointmentShare: 0 });
    const closed = await slots(t, hall.siteId, hall.services.complex, '2026-11-23');
    // Share 0: nothing more can be booked; the booked place stays.
    expect(closed.every((s) => s.remaining === 0)).toBe(true);
    expect((await complex('2026-11-23T10:00:00+08:00')).body.error.code).toBe('SLOT_FULL');
    expect((await t.api('GET', `/appointments/${booked.body.id}`, undefined, { 'x-access-token': booked.body.accessToken })).body.status).toBe('booked');
    await setRules(t, hall.adminToken, hall.siteId, hall.services.complex, MORNINGS);
    await expectPlacesConsistent();
  });
});

describe('reschedule', () => {
  const R_DAY = '2026-11-23';
  const slotAt = (h: string) => `${R_DAY}T${h}:00+08:00`;

  it('keeps the old place when the new slot is full, and moves both counts when it is not', async () => {
    // Complex item on Monday: 09:00 has 1 place, 09:30 had 2 (share rules reset above), 10:00 has 1.
    const me = await complex(slotAt('10:00'));
    expect(me.status, JSON.stringify(me.body)).toBe(201);
    const blocker = await complex(slotAt('09:00'));
    expect(blocker.status).toBe(201);
    const token = { 'x-access-token': me.body.accessToken };
    const full = await t.api('POST', `/appointments/${me.body.id}/reschedule`, { start: slotAt('09:00') }, token);
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('SLOT_FULL');
    const still = await t.api('GET', `/appointments/${me.body.id}`, undefined, token);
    expect(still.body).toMatchObject({ status: 'booked', start: slotAt('10:00') });
    expect((await slots(t, hall.siteId, hall.services.complex, R_DAY)).find((s) => s.start === slotAt('10:00'))?.remaining).toBe(0);

    const moved = await t.api('POST', `/appointments/${me.body.id}/reschedule`, { start: slotAt('11:30') }, token);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ id: me.body.id, code: me.body.code, start: slotAt('11:30'), status: 'booked' });
    const after = await slots(t, hall.siteId, hall.services.complex, R_DAY);
    expect(after.find((s) => s.start === slotAt('10:00'))?.remaining).toBe(1);
    expect(after.find((s) => s.start === slotAt('11:30'))?.remaining).toBe(1);
    await expectPlacesConsistent();
  });

  it('under a race for the last place, either the move or the booking wins, never both and never neither', async () => {
    const rounds = [['2026-11-24', '09:00', '09:30'], ['2026-11-25', '09:00', '09:30'], ['2026-11-27', '10:00', '10:30'], ['2026-11-27', '11:00', '11:30'], ['2026-11-20', '11:00', '11:30']] as const;
    for (const [day, fromH, toH] of rounds) {
      const from = `${day}T${fromH}:00+08:00`;
      const to = `${day}T${toH}:00+08:00`;
      const mover = await complex(from);
      expect(mover.status, JSON.stringify(mover.body)).toBe(201);
      const remaining = (await slots(t, hall.siteId, hall.services.complex, day)).find((s) => s.start === to)?.remaining ?? 0;
      // Leave exactly one place in the target slot.
      for (let i = 0; i < remaining - 1; i++) expect((await complex(to)).status).toBe(201);
      const [move, other] = await Promise.all([
        t.api('POST', `/appointments/${mover.body.id}/reschedule`, { start: to }, { 'x-access-token': mover.body.accessToken }),
        complex(to),
      ]);
      // Exactly one of them got the place; the other was told the slot is full.
      expect(move.status === 200 ? other.status : move.status).toBe(409);
      expect(move.status === 200 || other.status === 201).toBe(true);
      expect((move.status === 200 ? other : move).body.error.code).toBe('SLOT_FULL');
      const where = (await t.api('GET', `/appointments/${mover.body.id}`, undefined, { 'x-access-token': mover.body.accessToken })).body.start;
      expect(where).toBe(move.status === 200 ? to : from);
      await expectPlacesConsistent();
    }
  });

  it('refuses a move into a day where the person already holds the same item', async () => {
    const me = someone();
    const a = await general('2026-11-24T11:00:00+08:00', me);
    const b = await general('2026-11-25T11:00:00+08:00', me);
    expect([a.status, b.status]).toEqual([201, 201]);
    const res = await t.api('POST', `/appointments/${b.body.id}/reschedule`, { start: '2026-11-24T11:30:00+08:00' }, { 'x-access-token': b.body.accessToken });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DUPLICATE_BOOKING');
    expect((await t.api('GET', `/appointments/${b.body.id}`, undefined, { 'x-access-token': b.body.accessToken })).body.start).toBe('2026-11-25T11:00:00+08:00');
    await expectPlacesConsistent();
  });
});

describe('anti-scalping limits', () => {
  let limited: TestApp;
  let lh: Hall;
  beforeAll(async () => {
    limited = await createTestApp({
      redis: true, clock,
      config: { trustProxy: 1, rateLimit: relaxedLimits({ bookingsPerMinPerIp: 3, bookingsPerDayPerPerson: 4 }), staffTokenTtlMin: 60 * 24 * 30 },
    });
    lh = await createHall(limited);
  });
  afterAll(async () => limited?.close());

  const from = (ip: string, citizen = someone(), start = '2026-11-24T10:00:00+08:00') =>
    book(limited, { siteId: lh.siteId, serviceId: lh.services.general, start, citizen }, { 'x-forwarded-for': ip });

  it('limits bookings per forwarded address with 429 RATE_LIMITED and Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.7')).status).not.toBe(429);
    const limitedRes = await from('203.0.113.7');
    expect(limitedRes.status).toBe(429);
    expect(limitedRes.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limitedRes.headers['retry-after'])).toBeGreaterThan(0);
    // Behind the proxy every citizen arrives from the proxy's address; the limit follows the forwarded one.
    expect((await from('203.0.113.8')).status).not.toBe(429);
  });

  it('limits bookings per person across addresses', async () => {
    const me = someone();
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await from(`198.51.100.${i}`, me, '2026-11-25T10:00:00+08:00')).status);
    // The first books, the next three are duplicates, the fifth attempt of the day is refused outright.
    expect(codes.slice(0, 4)).toEqual([201, 409, 409, 409]);
    expect(codes[4]).toBe(429);
  });
});
