/**
 * POST /appointments honours Idempotency-Key as ticket issue does (issue #14 item 9): a citizen whose answer
 * was lost retries and gets the same booking with its access token, not 409 DUPLICATE_BOOKING; the same key
 * with another body is 409 IDEMPOTENCY_MISMATCH and books nothing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { book, FRIDAY_10, MORNINGS, person, relaxedLimits, rows, setRules } from './helpers.ts';

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp({ clock: manualClock(FRIDAY_10), config: { rateLimit: relaxedLimits() } });
  hall = await createHall(t);
  await setRules(t, hall.adminToken, hall.siteId, hall.services.general, MORNINGS);
});
afterAll(async () => t?.close());

const body = (i: number, start = '2026-11-23T09:00:00+08:00') => ({ siteId: hall.siteId, serviceId: hall.services.general, start, citizen: person(i) });
const countFor = async (i: number) => (await rows<{ n: number }>(t, sql`SELECT count(*)::int AS n FROM appointments WHERE citizen_id_masked = ${person(i).idNumber.slice(0, 4) + '*'.repeat(10) + person(i).idNumber.slice(-4)}`))[0]?.n;

describe('Idempotency-Key on bookings', () => {
  it('answers a retry with the same booking and access token, and books once', async () => {
    const key = { 'idempotency-key': 'booking-retry-0001' };
    const first = await book(t, body(1), key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(typeof first.body.accessToken).toBe('string');
    const retry = await book(t, body(1), key);
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.code).toBe(first.body.code);
    expect(retry.body.accessToken).toBe(first.body.accessToken);
    expect(await countFor(1)).toBe(1);
    // Without the key, the same request is a second booking of the same day: refused as before.
    expect((await book(t, body(1))).body.error.code).toBe('DUPLICATE_BOOKING');
  });

  it('answers parallel tries with one key with one booking', async () => {
    const key = { 'idempotency-key': 'booking-parallel-02' };
    const answers = await Promise.all([0, 1, 2, 3].map(() => book(t, body(2, '2026-11-24T09:00:00+08:00'), key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.accessToken)).size).toBe(1);
    expect(await countFor(2)).toBe(1);
  });

  it('refuses the same key with a different body with 409 IDEMPOTENCY_MISMATCH and books nothing', async () => {
    const key = { 'idempotency-key': 'booking-mismatch-3' };
    expect((await book(t, body(3), key)).status).toBe(201);
    const other = await book(t, body(4), key);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', details: { header: 'Idempotency-Key' } });
    expect(typeof other.body.error.message).toBe('string');
    expect(await countFor(4)).toBe(0);
  });
});
