/** Shared pieces of the appointment tests: people with valid identities, booking, rules. */
import type { SQL } from 'drizzle-orm';
import { expect } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { residentId } from '../helpers/fixtures.ts';
import { bearer, type TestApp } from '../helpers/test-app.ts';

/** Friday 2026-11-20 10:00 in Shanghai: the following Monday–Friday are bookable with a 7-day horizon. */
export const FRIDAY_10 = Date.parse('2026-11-20T10:00:00+08:00');
export const MIN = 60_000;
export const at = (local: string) => Date.parse(`${local}+08:00`);

export interface Person { name: string; idNumber: string; phone: string }

/** The i-th test citizen: a valid resident id (check digit) and mobile number, different for each i. */
export function person(i: number): Person {
  // A birth date per thousand people, a sequence number within it: 17 digits, then the check digit.
  const birth = new Date(Date.UTC(1960, 0, 1 + Math.floor(i / 1000))).toISOString().slice(0, 10).replace(/-/g, '');
  return { name: `张${'三四五六七八九'[i % 7]}丰`, idNumber: residentId(`310101${birth}${String(i % 1000).padStart(3, '0')}`), phone: `138${String(i).padStart(8, '0')}` };
}

/** Default limits, with the booking limits raised so tests of other rules are not throttled. */
export function relaxedLimits(patch: Partial<ReturnType<typeof loadConfig>['rateLimit']> = {}) {
  return { ...loadConfig({ YC_DEMO: '1' }).rateLimit, bookingsPerMinPerIp: 100_000, bookingsPerDayPerPerson: 100_000, ...patch };
}

export function book(t: TestApp, body: { siteId: string; serviceId: string; start: string; kind?: string; address?: string; citizen: Person }, headers: Record<string, string> = {}) {
  return t.api('POST', '/appointments', body, headers);
}

export async function setRules(t: TestApp, adminToken: string, siteId: string, serviceId: string, rules: Record<string, unknown>) {
  const res = await t.api('PUT', `/admin/sites/${siteId}/services/${serviceId}/booking-rules`, rules, bearer(adminToken));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function slots(t: TestApp, siteId: string, serviceId: string, date: string) {
  const res = await t.api('GET', `/sites/${siteId}/services/${serviceId}/slots?date=${date}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { start: string; end: string; capacity: number; remaining: number }[];
}

/** Weekday mornings 09:00–12:00 in 30-minute slots, half for appointments. */
export const MORNINGS = {
  openingHours: { mon: [['09:00', '12:00']], tue: [['09:00', '12:00']], wed: [['09:00', '12:00']], thu: [['09:00', '12:00']], fri: [['09:00', '12:00']] },
  slotMinutes: 30,
  horizonDays: 7,
  appointmentShare: 0.5,
  closedDates: ['2026-11-26'],
};

/** Rows of a raw SQL query against the test app's database (for asserting on what is stored). */
export async function rows<T = Record<string, unknown>>(t: TestApp, query: SQL): Promise<T[]> {
  return ((await t.app.deps.db.execute(query)) as unknown as { rows: T[] }).rows;
}
