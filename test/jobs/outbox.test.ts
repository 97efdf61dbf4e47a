import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { at, book, FRIDAY_10, MIN, MORNINGS, person, relaxedLimits, setRules, rows } from '../appointments/helpers.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { type FakeGateway, startFakeGateway } from './fake-sms-gateway.ts';

const clock = manualClock(FRIDAY_10);
let gateway: FakeGateway;
let t: TestApp;
let hall: Hall;
let next = 900;

beforeAll(async () => {
  gateway = await startFakeGateway();
  t = await createTestApp({ redis: true, clock, config: { sms: { gatewayUrl: gateway.url }, rateLimit: relaxedLimits(), staffTokenTtlMin: 60 * 24 * 30 } });
  hall = await createHall(t);
  await setRules(t, hall.adminToken, hall.siteId, hall.services.general, { ...MORNINGS, appointmentShare: 1 });
});
afterAll(async () => {
  await t?.close();
  await gateway?.close();
});

async function bookAt(start: string) {
  clock.set(FRIDAY_10);
  const citizen = person(next++);
  const res = await book(t, { siteId: hall.siteId, serviceId: hall.services.general, start, citizen });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, token: res.body.accessToken as string, phone: citizen.phone };
}

async function rowsFor(id: string) {
  return (await rows(t, sql`SELECT kind, status, attempts, last_error, recipient_sealed, recipient_masked, channel FROM notification_outbox WHERE subject_id = ${id} ORDER BY id`)) as
    { kind: string; status: string; attempts: number; last_error: string | null; recipient_sealed: string | null; recipient_masked: string; channel: string }[];
}

async function runJobs() {
  await t.app.appointments.sweep();
  await t.app.outbox.deliverDue();
}

describe('notifications outbox', () => {
  it('retries a message the gateway refused, later, with the same idempotency key, and sends it once', async () => {
    const a = await bookAt('2026-11-24T09:00:00+08:00');
    gateway.failNext(1);
    clock.set(at('2026-11-23T09:00:00'));
    await runJobs();
    expect(await rowsFor(a.id)).toMatchObject([{ kind: 'dayBefore', status: 'pending', attempts: 1, last_error: 'gateway answered 500' }]);
    // Not due again yet: the first retry waits a minute.
    await runJobs();
    expect(gateway.requests.filter((r) => r.to === a.phone)).toHaveLength(1);
    clock.advance(MIN);
    await runJobs();
    const sent = gateway.requests.filter((r) => r.to === a.phone);
    expect(sent.map((r) => r.accepted)).toEqual([false, true]);
    expect(sent[0]?.idempotencyKey).toBe(sent[1]?.idempotencyKey);
    expect(await rowsFor(a.id)).toMatchObject([{ status: 'sent', attempts: 2, recipient_sealed: null, channel: 'sms' }]);
    await runJobs();
    expect(gateway.delivered(a.phone)).toHaveLength(1);
  });

  it('gives up after five attempts and forgets the number', async () => {
    const a = await bookAt('2026-11-25T11:30:00+08:00');
    gateway.failNext(5);
    clock.set(at('2026-11-24T11:30:00'));
    for (const wait of [0, 1, 5, 15, 60]) {
      clock.advance(wait * MIN);
      await runJobs();
    }
    expect(gateway.requests.filter((r) => r.to === a.phone)).toHaveLength(5);
    expect(await rowsFor(a.id)).toMatchObject([{ status: 'failed', attempts: 5, recipient_sealed: null }]);
  });

  it('never sends a reminder for a cancelled appointment or after its slot has begun', async () => {
    const cancelled = await bookAt('2026-11-25T09:00:00+08:00');
    const late = await bookAt('2026-11-25T09:30:00+08:00');
    gateway.failNext(100);
    clock.set(at('2026-11-25T08:00:00'));
    await runJobs();
    expect((await rowsFor(cancelled.id))[0]?.status).toBe('pending');
    expect((await t.api('POST', `/appointments/${cancelled.id}/cancel`, undefined, { 'x-access-token': cancelled.token })).status).toBe(200);
    expect(await rowsFor(cancelled.id)).toMatchObject([{ status: 'cancelled', recipient_sealed: null }]);
    gateway.failNext(0);
    clock.set(at('2026-11-25T09:31:00'));
    await runJobs();
    expect(gateway.delivered(cancelled.phone)).toHaveLength(0);
    expect(gateway.delivered(late.phone)).toHaveLength(0);
    expect((await rowsFor(late.id)).map((r) => r.status)).toEqual(['expired']);
  });

  it('moves reminders with a rescheduled appointment', async () => {
    const a = await bookAt('2026-11-27T09:00:00+08:00');
    clock.set(at('2026-11-26T09:00:00'));
    await runJobs();
    expect(gateway.delivered(a.phone).map((r) => r.text)).toEqual([expect.stringContaining('11月27日09:00')]);
    const moved = await t.api('POST', `/appointments/${a.id}/reschedule`, { start: '2026-11-27T11:00:00+08:00' }, { 'x-access-token': a.token });
    expect(moved.status).toBe(200);
    clock.set(at('2026-11-27T10:00:00'));
    await runJobs();
    // A reminder for the new time; the old slot's reminders are gone.
    expect(gateway.delivered(a.phone).map((r) => r.text)).toEqual([expect.stringContaining('09:00'), expect.stringContaining('11月27日11:00')]);
    expect((await rowsFor(a.id)).map((r) => `${r.kind}:${r.status}`)).toEqual(['dayBefore:sent', 'hourBefore:sent']);
  });
});

describe('without an SMS gateway', () => {
  it('logs the message with the masked number and records it as sent', async () => {
    const lines: Record<string, unknown>[] = [];
    const plain = await createTestApp({ clock, config: { rateLimit: relaxedLimits(), staffTokenTtlMin: 60 * 24 * 30 } });
    try {
      const h = await createHall(plain);
      // The log channel writes through the app logger; capture what it is given.
      plain.app.deps.log.info = ((obj: Record<string, unknown>) => void lines.push(obj)) as never;
      clock.set(FRIDAY_10);
      const citizen = person(next++);
      const res = await book(plain, { siteId: h.siteId, serviceId: h.services.general, start: '2026-11-24T09:00:00+08:00', citizen });
      expect(res.status).toBe(201);
      clock.set(at('2026-11-24T08:00:00'));
      await plain.app.appointments.sweep();
      await plain.app.outbox.deliverDue();
      const stored = (await rows(plain, sql`SELECT status, channel, recipient_masked FROM notification_outbox`));
      expect(stored).toEqual([{ status: 'sent', channel: 'log', recipient_masked: `${citizen.phone.slice(0, 3)}****${citizen.phone.slice(-4)}` }]);
      const logged = lines.filter((l) => 'outboxId' in l);
      expect(logged).toHaveLength(1);
      expect(logged[0]?.to).toBe(`${citizen.phone.slice(0, 3)}****${citizen.phone.slice(-4)}`);
      expect(String(logged[0]?.text)).toContain('11月24日09:00');
      expect(JSON.stringify(logged)).not.toContain(citizen.phone);
    } finally {
      await plain.close();
    }
  });
});
