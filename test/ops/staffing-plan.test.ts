/**
 * The staffing planner through its endpoint: what-if figures checked against Erlang C's published values,
 * and a plan built from a seeded history (four past Mondays) plus bookings already made for the day.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointments, tickets } from '../../server/src/db/schema/index.ts';
import { manualClock } from '../../server/src/lib/clock.ts';
import { hashToken } from '../../server/src/lib/secrets.ts';
import { zonedTimeToMs } from '../../server/src/lib/time.ts';
import { mmc, shareWithin } from '../../server/src/ops/core/erlang-c.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

const TZ = 'Asia/Shanghai';
const at = (day: string, time: string) => new Date(zonedTimeToMs(day, time, TZ));
const MIN = 60_000;
// Sunday evening: the plan is for tomorrow, Monday 2026-11-23.
const clock = manualClock(at('2026-11-22', '20:00').getTime());
const MONDAYS = ['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16'];

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp({ clock });
  hall = await createHall(t);
  const db = t.app.deps.db;
  // Each past Monday: 20 walk-ins between 09:00 and 10:00, 10 between 10:00 and 11:00, each handled in 10 min;
  // one straggler at 17:05 on one Monday only.
  let n = 0;
  const rows: (typeof tickets.$inferInsert)[] = [];
  for (const day of MONDAYS) {
    const times = [...Array.from({ length: 20 }, (_, i) => 9 * 60 + i * 3), ...Array.from({ length: 10 }, (_, i) => 10 * 60 + i * 6)];
    if (day === MONDAYS[0]) times.push(17 * 60 + 5);
    for (const m of times) {
      const issued = new Date(at(day, '00:00').getTime() + m * MIN);
      rows.push({
        siteId: hall.siteId, serviceId: hall.services.general, day, number: `H${String(++n).padStart(3, '0')}`, status: 'done', priority: 'normal', channel: 'kiosk',
        issuedAt: issued, waitAnchorAt: issued, dueAt: new Date(issued.getTime() + 30 * MIN), calledAt: issued, startedAt: new Date(issued.getTime() + MIN),
        finishedAt: new Date(issued.getTime() + 11 * MIN), accessTokenHash: hashToken(randomUUID()),
      });
    }
  }
  await db.insert(tickets).values(rows);
  // Six hall appointments already booked for Monday 14:00–15:00.
  await db.insert(appointments).values(Array.from({ length: 6 }, (_, i) => ({
    code: `P${i}${randomUUID().slice(0, 6)}`, siteId: hall.siteId, serviceId: hall.services.general, kind: 'hall' as const, status: 'booked' as const,
    start: at('2026-11-23', `14:${String(i * 10).padStart(2, '0')}`), end: at('2026-11-23', `14:${String(i * 10 + 10).padStart(2, '0')}`),
    day: '2026-11-23', bookedAt: at('2026-11-20', '10:00'), citizenNameMasked: '张*', citizenIdHash: `h${i}`, citizenIdMasked: '3101**********0000',
    citizenPhoneMasked: '138****0000', accessTokenHash: hashToken(randomUUID()),
  })));
});
afterAll(async () => t?.close());

const plan = (query: string, token = hall.tokens.supervisor) => t.api('GET', `/sites/${hall.siteId}/staffing-plan?${query}`, undefined, bearer(token));
const HALL_DAY = [9, 10, 11, 13, 14, 15, 16];

/** The fewest windows Erlang C gives for `level` (the planner's first estimate). */
function erlangWindows(perHour: number, handleMin: number, targetMin: number, level: number): number {
  for (let c = Math.floor((perHour / 60) * handleMin) + 1; ; c++) {
    if (shareWithin({ arrivalRate: perHour / 60, meanServiceTime: handleMin, servers: c }, targetMin) >= level) return c;
  }
}

describe('what-if: 60 arrivals an hour for a 15-minute item, 10-minute target (Wednesday, no history)', () => {
  const whatIf = 'date=2026-11-25&arrivalsPerHour=60&meanHandleMin=15&targetWaitMin=10';

  it('gives Erlang C\'s answer with engine=erlangC: 17 windows for 80 %, 18 for 90 %', async () => {
    const r80 = await plan(`${whatIf}&serviceLevel=0.8&engine=erlangC`);
    expect(r80.status).toBe(200);
    expect(r80.body).toMatchObject({ date: '2026-11-25', serviceLevel: 0.8, engine: 'erlangC', basis: { historyDays: 0, appointments: 0, whatIf: true } });
    expect(r80.body.hours.map((h: { hour: number }) => h.hour)).toEqual(HALL_DAY);
    for (const h of r80.body.hours) {
      // M/M/17 with a = 15 Erlangs: P(W ≤ 10 min) = 86.3 %, E[W] = 3.9 min (16 windows would give 62.5 %).
      expect(h).toEqual({ hour: h.hour, expectedArrivals: 60, meanHandleMin: 15, windowsNeeded: 17, expectedShareWithinTarget: 0.863, badDayShareWithinTarget: null, expectedMeanWaitMin: 3.9 });
    }
    const r90 = await plan(`${whatIf}&engine=erlangC`);
    expect(r90.body.serviceLevel).toBe(0.9);
    for (const h of r90.body.hours) expect(h).toMatchObject({ windowsNeeded: 18, expectedShareWithinTarget: 0.951, expectedMeanWaitMin: 1.8 });
    // The same figures straight from the formulas.
    expect(erlangWindows(60, 15, 10, 0.8)).toBe(17);
    expect(Math.round(mmc({ arrivalRate: 1, meanServiceTime: 15, servers: 17 }).meanWait * 10) / 10).toBe(3.9);
  });

  it('lets the simulated day correct Erlang C, never below the stability floor nor above Erlang C', async () => {
    const r = await plan(`${whatIf}&serviceLevel=0.8`);
    expect(r.body.engine).toBe('simulation');
    expect(r.body.hours.map((h: { hour: number }) => h.hour)).toEqual(HALL_DAY);
    for (const h of r.body.hours) {
      // 15 Erlangs need at least 16 windows to keep up at all.
      expect(h.windowsNeeded).toBeGreaterThanOrEqual(16);
      expect(h.windowsNeeded).toBeLessThanOrEqual(17);
      // The simulated share of the plan it returns meets the level, within the simulation's noise.
      expect(h.expectedShareWithinTarget).toBeGreaterThanOrEqual(0.75);
      // Beside it, a bad day (one in ten) for the supervisor: at the stability floor, short of the mean.
      expect(typeof h.badDayShareWithinTarget).toBe('number');
      if (h.windowsNeeded === 16 && h.hour !== 9 && h.hour !== 13) expect(h.badDayShareWithinTarget).toBeLessThan(h.expectedShareWithinTarget);
    }
  });
});

describe('a plan from history and bookings (Monday)', () => {
  it('averages the past Mondays by hour, adds the bookings, and sizes each hour as Erlang C says', async () => {
    const r = await plan('date=2026-11-23&engine=erlangC');
    expect(r.status).toBe(200);
    expect(r.body.basis).toEqual({ historyDays: 4, appointments: 6, whatIf: false });
    // 09 and 10 from history (the lone 17:05 straggler is not an opening hour), 14 from the bookings.
    expect(r.body.hours.map((h: { hour: number }) => h.hour)).toEqual([9, 10, 14]);
    const [h9, h10, h14] = r.body.hours;
    // Walk-ins wait at most 30 min (general item), booked citizens 10 min; handling 10 min from history.
    expect(h9).toMatchObject({ expectedArrivals: 20, meanHandleMin: 10, windowsNeeded: erlangWindows(20, 10, 30, 0.9) });
    expect(h10).toMatchObject({ expectedArrivals: 10, meanHandleMin: 10, windowsNeeded: erlangWindows(10, 10, 30, 0.9) });
    expect(h14).toMatchObject({ expectedArrivals: 6, meanHandleMin: 10, windowsNeeded: erlangWindows(6, 10, 10, 0.9) });
    expect(h9.expectedShareWithinTarget).toBeGreaterThanOrEqual(0.9);
  });

  it('answers with the simulator by default, close to Erlang C', async () => {
    const r = await plan('date=2026-11-23');
    expect(r.body.hours.map((h: { hour: number }) => h.hour)).toEqual([9, 10, 14]);
    const erlang = [erlangWindows(20, 10, 30, 0.9), erlangWindows(10, 10, 30, 0.9), erlangWindows(6, 10, 10, 0.9)];
    r.body.hours.forEach((h: { windowsNeeded: number }, i: number) => {
      expect(h.windowsNeeded).toBeGreaterThanOrEqual(1);
      expect(Math.abs(h.windowsNeeded - (erlang[i] as number))).toBeLessThanOrEqual(1);
    });
  });

  it('plans no hours for a national holiday or a Sunday without history, unless asked "what if"', async () => {
    expect((await plan('date=2026-10-01')).body.hours).toEqual([]);
    expect((await plan('date=2026-11-29')).body.hours).toEqual([]);
    const whatIf = await plan('date=2026-11-29&arrivalsPerHour=10&engine=erlangC');
    expect(whatIf.body.hours.map((h: { hour: number }) => h.hour)).toEqual(HALL_DAY);
  });

  it('is for supervisors of the site, with a service level in (0, 1)', async () => {
    expect((await plan('', hall.tokens.clerk)).status).toBe(403);
    expect((await t.api('GET', `/sites/${hall.otherSiteId}/staffing-plan`, undefined, bearer(hall.tokens.supervisor))).status).toBe(403);
    for (const q of ['serviceLevel=1', 'serviceLevel=0', 'serviceLevel=abc', 'arrivalsPerHour=-1', 'meanHandleMin=0', 'date=2026-13-01x', 'engine=magic']) {
      expect((await plan(q)).status, q).toBe(400);
    }
  });
});
