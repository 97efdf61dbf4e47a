import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { at, book, FRIDAY_10, MORNINGS, person, relaxedLimits, setRules, rows } from './helpers.ts';

let t: TestApp;
let hall: Hall;
const clock = manualClock(FRIDAY_10);
let next = 500;

beforeAll(async () => {
  t = await createTestApp({ redis: true, clock, config: { rateLimit: relaxedLimits(), staffTokenTtlMin: 60 * 24 * 30 } });
  hall = await createHall(t);
  await setRules(t, hall.adminToken, hall.siteId, hall.services.general, { ...MORNINGS, appointmentShare: 1 });
  await setRules(t, hall.adminToken, hall.siteId, hall.services.complex, { ...MORNINGS, appointmentShare: 1 });
});
afterAll(async () => t?.close());

async function booked(serviceId: string, start: string, extra: Record<string, unknown> = {}) {
  clock.set(FRIDAY_10);
  const res = await book(t, { siteId: hall.siteId, serviceId, start, citizen: person(next++), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; code: string; accessToken: string };
}

const checkIn = (a: { id: string; accessToken: string }) => t.api('POST', `/appointments/${a.id}/check-in`, undefined, { 'x-access-token': a.accessToken });

describe('check-in', () => {
  it('refuses before the window opens, telling the kiosk when it opens and to offer a walk-in ticket', async () => {
    const a = await booked(hall.services.general, '2026-11-23T09:00:00+08:00');
    clock.set(at('2026-11-23T08:29:00'));
    const early = await checkIn(a);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('CHECK_IN_WINDOW');
    expect(early.body.error.details).toMatchObject({
      reason: 'early', opensAt: '2026-11-23T08:30:00+08:00', closesAt: '2026-11-23T09:15:00+08:00',
      offerWalkIn: true, walkIn: { siteId: hall.siteId, serviceId: hall.services.general },
    });
  });

  it('makes an appointment ticket due at slot start + 10 minutes when the citizen arrives early', async () => {
    const a = await booked(hall.services.general, '2026-11-23T09:30:00+08:00');
    clock.set(at('2026-11-23T09:05:00'));
    const res = await checkIn(a);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ channel: 'appointment', status: 'waiting', appointmentId: a.id, serviceId: hall.services.general });
    expect(res.body.dueAt).toBe('2026-11-23T09:40:00+08:00');
    expect(res.body.number).toMatch(/^A\d{3}$/);
    expect(typeof res.body.accessToken).toBe('string');
    const appt = await t.api('GET', `/appointments/${a.id}`, undefined, { 'x-access-token': a.accessToken });
    expect(appt.body).toMatchObject({ status: 'checkedIn', ticketId: res.body.id, checkedInAt: '2026-11-23T09:05:00+08:00' });
    // The clerk sees who booked, masked as on the booking.
    expect(res.body.citizen).toEqual(appt.body.citizen);
    expect(res.body.citizen.name).toMatch(/\*/);
    // Someone walking in at the slot's start is due 30 minutes later: the booked citizen is called first.
    clock.set(at('2026-11-23T09:30:00'));
    const walkIn = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    expect(Date.parse(walkIn.body.dueAt)).toBeGreaterThan(Date.parse(res.body.dueAt));
  });

  it('counts from arrival when the citizen is late but within the window', async () => {
    const a = await booked(hall.services.general, '2026-11-23T10:00:00+08:00');
    clock.set(at('2026-11-23T10:12:00'));
    const res = await checkIn(a);
    expect(res.status).toBe(201);
    expect(res.body.dueAt).toBe('2026-11-23T10:22:00+08:00');
  });

  it('gives a complex item its 30-minute target', async () => {
    const a = await booked(hall.services.complex, '2026-11-23T10:30:00+08:00');
    clock.set(at('2026-11-23T10:20:00'));
    const res = await checkIn(a);
    expect(res.status).toBe(201);
    expect(res.body.dueAt).toBe('2026-11-23T11:00:00+08:00');
  });

  it('refuses after the late window, and the sweep then marks the appointment noShow', async () => {
    const a = await booked(hall.services.general, '2026-11-23T11:00:00+08:00');
    clock.set(at('2026-11-23T11:15:30'));
    const late = await checkIn(a);
    expect(late.status).toBe(409);
    expect(late.body.error.details).toMatchObject({ reason: 'late', offerWalkIn: true });
    await t.app.appointments.sweep();
    const read = await t.api('GET', `/appointments/${a.id}`, undefined, { 'x-access-token': a.accessToken });
    expect(read.body.status).toBe('noShow');
    expect((await checkIn(a)).body.error.code).toBe('CHECK_IN_WINDOW');
    expect((await t.api('POST', `/appointments/${a.id}/cancel`, undefined, { 'x-access-token': a.accessToken })).status).toBe(409);
    // The sealed phone is gone once the appointment is over.
    const row = (await rows(t, sql`SELECT phone_sealed FROM appointments WHERE id = ${a.id}`))[0] as { phone_sealed: string | null };
    expect(row.phone_sealed).toBeNull();
  });

  it('returns the same ticket when checked in twice, also when both taps race', async () => {
    const a = await booked(hall.services.general, '2026-11-24T09:00:00+08:00');
    clock.set(at('2026-11-24T08:45:00'));
    const [x, y] = await Promise.all([checkIn(a), checkIn(a)]);
    expect([x.status, y.status]).toEqual([201, 201]);
    expect(x.body.id).toBe(y.body.id);
    clock.set(at('2026-11-24T09:40:00'));
    // Later, even outside the window: the citizen already has a ticket, and gets it back.
    const again = await checkIn(a);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(x.body.id);
    expect(again.body.dueAt).toBe('2026-11-24T09:10:00+08:00');
    const tickets = (await rows(t, sql`SELECT count(*)::int AS n FROM tickets WHERE appointment_id = ${a.id}`))[0] as { n: number };
    expect(tickets.n).toBe(1);
  });

  it('lets staff check a citizen in with the appointment code, only at their own site', async () => {
    const a = await booked(hall.services.general, '2026-11-24T09:30:00+08:00');
    clock.set(at('2026-11-24T09:20:00'));
    const wrong = await t.api('POST', `/appointments/${a.id}/check-in`, { code: 'WRONGCODE' }, bearer(hall.tokens.clerk));
    expect(wrong.status).toBe(403);
    const noCode = await t.api('POST', `/appointments/${a.id}/check-in`, {}, bearer(hall.tokens.clerk));
    expect(noCode.status).toBe(403);
    const otherSite = await t.api('POST', `/appointments/${a.id}/check-in`, { code: a.code }, bearer(hall.tokens.otherClerk));
    expect(otherSite.status).toBe(403);
    const byCode = await t.api('GET', `/appointments/by-code/${a.code}`, undefined, bearer(hall.tokens.clerk));
    const res = await t.api('POST', `/appointments/${byCode.body.id}/check-in`, { code: a.code.toLowerCase() }, bearer(hall.tokens.clerk));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.dueAt).toBe('2026-11-24T09:40:00+08:00');
    expect((await t.api('POST', `/appointments/${a.id}/check-in`)).status).toBe(401);
  });
});

describe('video appointments', () => {
  it('checks the citizen in from home into the queue of a virtual window serving the item', async () => {
    const a = await booked(hall.services.general, '2026-11-24T10:00:00+08:00', { kind: 'video' });
    clock.set(at('2026-11-24T09:50:00'));
    const res = await checkIn(a);
    expect(res.status).toBe(201);
    const queue = await t.api('GET', `/sites/${hall.siteId}/queue`, undefined, bearer(hall.tokens.clerk));
    expect(queue.body.waiting.find((e: { id: string }) => e.id === res.body.id)?.targetWindowId).toBe(hall.windows.virtual);
    // Only the virtual window may call it: a physical window's call-next passes it by.
    await t.api('POST', `/windows/${hall.windows.w2}/open`, undefined, bearer(hall.tokens.clerk2));
    for (;;) {
      const called = await t.api('POST', `/windows/${hall.windows.w2}/call-next`, undefined, bearer(hall.tokens.clerk2));
      if (called.status === 204) break;
      expect(called.body.id).not.toBe(res.body.id);
      await t.api('POST', `/tickets/${called.body.id}/no-show`, undefined, bearer(hall.tokens.clerk2));
    }
    await t.api('POST', `/windows/${hall.windows.virtual}/open`, undefined, bearer(hall.tokens.clerk));
    let found = false;
    for (let i = 0; i < 20 && !found; i++) {
      const called = await t.api('POST', `/windows/${hall.windows.virtual}/call-next`, undefined, bearer(hall.tokens.clerk));
      if (called.status === 204) break;
      found = called.body.id === res.body.id;
      if (!found) await t.api('POST', `/tickets/${called.body.id}/no-show`, undefined, bearer(hall.tokens.clerk));
    }
    expect(found).toBe(true);
  });

  it('cannot be booked for an item no virtual window serves', async () => {
    clock.set(FRIDAY_10);
    const res = await book(t, { siteId: hall.siteId, serviceId: hall.services.other, start: '2026-11-24T09:00:00+08:00', kind: 'video', citizen: person(next++) });
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('kind');
  });
});

describe('home visits', () => {
  it('needs an address, makes no ticket, is assigned by a supervisor and closed with a visit record', async () => {
    clock.set(FRIDAY_10);
    const noAddress = await book(t, { siteId: hall.siteId, serviceId: hall.services.complex, start: '2026-11-25T09:00:00+08:00', kind: 'homeVisit', citizen: person(next++) });
    expect(noAddress.status).toBe(400);
    expect(noAddress.body.error.details.field).toBe('address');
    const address = '上海市青浦区华新镇新凤中路100弄5号';
    const a = await booked(hall.services.complex, '2026-11-25T09:00:00+08:00', { kind: 'homeVisit', address });
    const mine = await t.api('GET', `/appointments/${a.id}`, undefined, { 'x-access-token': a.accessToken });
    expect(mine.body.kind).toBe('homeVisit');
    expect(mine.body.checkIn).toBeNull();
    expect(mine.body.address).toBe('上海市青浦区****');
    const staffView = await t.api('GET', `/appointments/${a.id}`, undefined, bearer(hall.tokens.supervisor));
    expect(staffView.body.address).toBe(address);

    clock.set(at('2026-11-25T08:50:00'));
    const ticket = await checkIn(a);
    expect(ticket.status).toBe(409);
    expect(ticket.body.error.code).toBe('INVALID_TRANSITION');

    expect((await t.api('POST', `/appointments/${a.id}/assign`, { staffId: hall.staffIds.clerk }, bearer(hall.tokens.clerk))).status).toBe(403);
    expect((await t.api('POST', `/appointments/${a.id}/assign`, { staffId: hall.staffIds.otherclerk }, bearer(hall.tokens.supervisor))).status).toBe(400);
    const assigned = await t.api('POST', `/appointments/${a.id}/assign`, { staffId: hall.staffIds.clerk }, bearer(hall.tokens.supervisor));
    expect(assigned.status).toBe(200);
    expect(assigned.body.assignedStaffId).toBe(hall.staffIds.clerk);

    // The no-show sweep leaves home visits alone: the visit record decides.
    clock.set(at('2026-11-25T12:00:00'));
    await t.app.appointments.sweep();
    expect((await t.api('GET', `/appointments/${a.id}`, undefined, bearer(hall.tokens.clerk))).body.status).toBe('booked');

    const notAssigned = await t.api('POST', `/appointments/${a.id}/visit-record`, { outcome: 'completed', note: '已办结' }, bearer(hall.tokens.clerk2));
    expect(notAssigned.status).toBe(403);
    const done = await t.api('POST', `/appointments/${a.id}/visit-record`, { outcome: 'completed', note: '材料齐全，已受理' }, bearer(hall.tokens.clerk));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', visit: { outcome: 'completed', note: '材料齐全，已受理', staffId: hall.staffIds.clerk } });
    // The visit is over: even staff see only the masked address now.
    expect(done.body.address).toBe('上海市青浦区****');
    expect((await t.api('POST', `/appointments/${a.id}/visit-record`, { outcome: 'completed', note: 'again' }, bearer(hall.tokens.clerk))).status).toBe(409);
  });
});

describe('no-show sweep', () => {
  it('marks only booked hall appointments whose window has closed, once', async () => {
    const a = await booked(hall.services.general, '2026-11-27T09:00:00+08:00');
    const b = await booked(hall.services.general, '2026-11-27T09:30:00+08:00');
    clock.set(at('2026-11-27T09:15:00'));
    expect((await t.app.appointments.sweep()).noShows).toBe(0);
    clock.set(at('2026-11-27T09:16:00'));
    expect((await t.app.appointments.sweep()).noShows).toBe(1);
    expect((await t.app.appointments.sweep()).noShows).toBe(0);
    expect((await t.api('GET', `/appointments/${a.id}`, undefined, { 'x-access-token': a.accessToken })).body.status).toBe('noShow');
    expect((await t.api('GET', `/appointments/${b.id}`, undefined, { 'x-access-token': b.accessToken })).body.status).toBe('booked');
  });
});
