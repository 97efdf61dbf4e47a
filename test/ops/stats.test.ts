/**
 * Statistics on a seeded history, against figures computed by hand. Tickets are written straight into the
 * database with known times (two past days and today at one site, one past day at its child site); ratings and
 * cases go through the API at a manual clock.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketEvents, tickets } from '../../server/src/db/schema/index.ts';
import { manualClock } from '../../server/src/lib/clock.ts';
import { hashToken } from '../../server/src/lib/secrets.ts';
import { zonedTimeToMs } from '../../server/src/lib/time.ts';
import { STATS_ROLLUP_JOB } from '../../server/src/ops/ops.module.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

const TZ = 'Asia/Shanghai';
const D1 = '2026-11-16';
const D2 = '2026-11-17';
const TODAY = '2026-11-23';
const at = (day: string, time: string) => new Date(zonedTimeToMs(day, time, TZ));
const clock = manualClock(at(TODAY, '12:00').getTime());

let t: TestApp;
let hall: Hall;
let childService: string;
const ids: Record<string, string> = {};

interface Seed {
  key: string;
  site?: 'site' | 'child';
  day: string;
  service?: 'general' | 'complex' | 'child';
  status: 'done' | 'noShow' | 'cancelled' | 'waiting' | 'serving';
  issued: string;
  due: string;
  called?: string;
  started?: string;
  finished?: string;
  window?: 'w1' | 'w2' | null;
  clerk?: 'clerk' | 'clerk2';
  eta?: number;
  /** The high end of the range shown at issue (the range is eta–high). */
  high?: number;
}

/** Hand-made history. Walk-in targets: general 30 min, complex 60 min; handling target 20 min. */
const SEED: Seed[] = [
  // D1, window 1, clerk: waits 5, 20, 40 (no-show), 10 min; handling 10, 25, 10 min.
  { key: 't1', day: D1, status: 'done', issued: '09:00', due: '09:30', called: '09:05', started: '09:06', finished: '09:16', window: 'w1', clerk: 'clerk', eta: 3, high: 6 },
  { key: 't2', day: D1, status: 'done', issued: '09:00', due: '09:30', called: '09:20', started: '09:21', finished: '09:46', window: 'w1', clerk: 'clerk', eta: 25 },
  { key: 't3', day: D1, status: 'noShow', issued: '09:10', due: '09:40', called: '09:50', finished: '09:55', window: 'w1', clerk: 'clerk' },
  { key: 't4', day: D1, service: 'complex', status: 'done', issued: '10:00', due: '11:00', called: '10:10', started: '10:11', finished: '10:21', window: 'w1', clerk: 'clerk', eta: 10 },
  // Never called: cancelled after its due time (a miss), before it (not measured), still waiting at day's end (a miss).
  { key: 't5', day: D1, status: 'cancelled', issued: '09:00', due: '09:30', finished: '09:45' },
  { key: 't6', day: D1, status: 'cancelled', issued: '09:00', due: '09:30', finished: '09:10' },
  { key: 't7', day: D1, status: 'waiting', issued: '16:00', due: '16:30' },
  // D2, window 2, clerk2: waits 2 and 40 min, handling 10 and 15 min.
  { key: 'u1', day: D2, status: 'done', issued: '09:00', due: '09:30', called: '09:02', started: '09:03', finished: '09:13', window: 'w2', clerk: 'clerk2', eta: 5, high: 8 },
  { key: 'u2', day: D2, status: 'done', issued: '09:00', due: '09:30', called: '09:40', started: '09:41', finished: '09:56', window: 'w2', clerk: 'clerk2' },
  // Today (live; the clock reads 12:30 once the setup is done): one served since 09:10, one waiting past its due time.
  { key: 'v1', day: TODAY, status: 'serving', issued: '09:00', due: '09:30', called: '09:10', started: '09:11', window: 'w1', clerk: 'clerk' },
  { key: 'v2', day: TODAY, status: 'waiting', issued: '11:00', due: '11:30' },
  // The child site, D1: wait 15 min, handling 10 min.
  { key: 'c1', site: 'child', service: 'child', day: D1, status: 'done', issued: '09:00', due: '09:30', called: '09:15', started: '09:16', finished: '09:26', window: null },
];

async function seed() {
  const db = t.app.deps.db;
  let n = 0;
  for (const s of SEED) {
    const siteId = s.site === 'child' ? hall.childSiteId : hall.siteId;
    const serviceId = s.service === 'child' ? childService : hall.services[s.service ?? 'general'];
    const windowId = s.window === undefined || s.window === null ? null : hall.windows[s.window];
    const [row] = await db.insert(tickets).values({
      siteId, serviceId, day: s.day, number: `Z${String(++n).padStart(3, '0')}`, status: s.status, priority: 'normal', channel: 'kiosk',
      issuedAt: at(s.day, s.issued), waitAnchorAt: at(s.day, s.issued), dueAt: at(s.day, s.due),
      calledAt: s.called ? at(s.day, s.called) : null, lastCalledAt: s.called ? at(s.day, s.called) : null, callCount: s.called ? 1 : 0,
      startedAt: s.started ? at(s.day, s.started) : null, finishedAt: s.finished ? at(s.day, s.finished) : null,
      windowId, etaAtIssueMin: s.eta ?? null, etaHighAtIssueMin: s.high ?? null, accessTokenHash: hashToken(`token-${s.key}`),
    }).returning();
    ids[s.key] = row!.id;
    if (s.called && s.clerk) {
      await db.insert(ticketEvents).values({ ticketId: row!.id, siteId, type: 'called', fromStatus: 'waiting', toStatus: 'called', actorKind: 'staff', actorId: hall.staffIds[s.clerk], windowId, at: at(s.day, s.called) });
    }
  }
}

beforeAll(async () => {
  t = await createTestApp({ clock, startJobs: true });
  hall = await createHall(t);
  const svc = await t.api('POST', `/admin/sites/${hall.childSiteId}/services`, { code: 'K1', name: '社区事项', category: 'K', complexity: 'general' }, bearer(hall.adminToken));
  childService = svc.body.id;
  await seed();
  // Ratings today: 5, 1 (opens a case), 4.
  for (const [key, score] of [['t1', 5], ['t2', 1], ['u1', 4]] as const) {
    expect((await t.api('POST', `/tickets/${ids[key]}/rating`, { score }, { 'x-access-token': `token-${key}` })).status).toBe(201);
  }
  // A 办不成事 report, answered half an hour later.
  const c = await t.api('POST', '/cases', { siteId: hall.siteId, kind: 'cannotBeDone', description: '无法办理', contact: { phone: '13812345678' } });
  clock.advance(30 * 60_000);
  expect((await t.api('POST', `/cases/${c.body.id}/reply`, { message: '已受理' }, bearer(hall.tokens.supervisor))).status).toBe(200);
});
afterAll(async () => t?.close());

const stats = (query: string, token = hall.tokens.supervisor) => t.api('GET', `/sites/${hall.siteId}/stats?${query}`, undefined, bearer(token));

/** What a supervisor must read for D1..today at the site, computed by hand from SEED. */
function expectSiteFigures(body: any) {
  expect(body).toMatchObject({
    tickets: 11, served: 5, noShows: 1, cancelled: 2, transferred: 0,
    // Waits 2, 5, 10, 10, 20, 40, 40: mean 127/7; nearest-rank p90 is the 7th.
    avgWaitMin: 18.1, p90WaitMin: 40,
    // Measured 10 (7 called + t5, t7, v2), met 5 (t1, t2, t4, u1, v1).
    waitSlaMet: 0.5,
    // Handled 10, 25, 10, 10, 15 against 20 min: 4 of 5, mean 14.
    handleSlaMet: 0.8, meanHandleMin: 14,
    // |3−5|, |25−20|, |10−10|, |5−2|: MAE 10/4; signed (−2 + 5 + 0 + 3)/4.
    // Ranges shown: t1 3–6 min (waited 5: inside), u1 5–8 min (waited 2: below); the others had none.
    waitEstimate: { count: 4, maeMin: 2.5, biasMin: 1.5, rangeShown: 2, shareInRange: 0.5 },
  });
  const general = body.byService.find((s: any) => s.serviceId === hall.services.general);
  expect(general).toMatchObject({ name: '居住证办理', tickets: 10, served: 4, avgWaitMin: 19.5, waitSlaMet: 0.444 });
  expect(body.byService.find((s: any) => s.serviceId === hall.services.complex)).toMatchObject({ tickets: 1, served: 1, avgWaitMin: 10, waitSlaMet: 1, handleSlaMet: 1 });
  expect(body.byWindow).toEqual([
    { windowId: hall.windows.w1, number: 1, name: '综合窗口1', calls: 5, served: 3, meanHandleMin: 15 },
    { windowId: hall.windows.w2, number: 2, name: '综合窗口2', calls: 2, served: 2, meanHandleMin: 12.5 },
  ]);
  // clerk: D1 staffed 09:05–10:21 (76 min), busy 53; today 09:10 to now (12:30) all busy (200) → idle 23/276.
  // clerk2: D2 staffed 09:02–09:56 (54 min), busy 11 + 16 → idle 27/54.
  expect(body.clerks).toEqual([
    { staffId: hall.staffIds.clerk, displayName: 'clerk', calls: 5, served: 3, meanHandleMin: 15, idleShare: 0.083 },
    { staffId: hall.staffIds.clerk2, displayName: 'clerk2', calls: 2, served: 2, meanHandleMin: 12.5, idleShare: 0.5 },
  ]);
}

describe('GET /sites/:siteId/stats', () => {
  it('matches the hand-computed figures, live', async () => {
    const r = await stats(`from=${D1}&to=${TODAY}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ siteId: hall.siteId, siteIds: [hall.siteId], from: D1, to: TODAY, rolledUpDays: 0 });
    expectSiteFigures(r.body);
    expect(r.body.bySite).toBeUndefined();
  });

  it('reports ratings and case figures', async () => {
    const r = await stats(`from=${D1}&to=${TODAY}`);
    expect(r.body.ratings).toEqual({ count: 3, avg: 3.33, bad: 1, byScore: { 1: 1, 2: 0, 3: 0, 4: 1, 5: 1 } });
    expect(r.body.cases).toEqual({ count: 2, open: 2, overdue: 0, replyOverdue: 0, meanReplyMin: 30, byKind: { cannotBeDone: 1, badRating: 1, complaint: 0 } });
  });

  it('serves finished days from the roll-up with the same figures, and only today live', async () => {
    await t.app.deps.jobs.runNow(STATS_ROLLUP_JOB);
    const r = await stats(`from=${D1}&to=${TODAY}`);
    expect(r.body.rolledUpDays).toBe(2);
    expectSiteFigures(r.body);
    // A later change to a rolled-up day shows after the next roll-up, not before: the past is read from the roll-up.
    await t.app.deps.db.update(tickets).set({ status: 'noShow' }).where(eq(tickets.id, ids.u2!));
    expect((await stats(`from=${D2}&to=${D2}`)).body.served).toBe(2);
    await t.app.deps.jobs.runNow(STATS_ROLLUP_JOB);
    expect((await stats(`from=${D2}&to=${D2}`)).body).toMatchObject({ served: 1, noShows: 1, rolledUpDays: 1 });
    await t.app.deps.db.update(tickets).set({ status: 'done' }).where(eq(tickets.id, ids.u2!));
    await t.app.deps.jobs.runNow(STATS_ROLLUP_JOB);
  });

  it('selects days: a single day, and today by default', async () => {
    const d1 = await stats(`from=${D1}&to=${D1}`);
    expect(d1.body).toMatchObject({ tickets: 7, served: 3, avgWaitMin: 18.8, p90WaitMin: 40, waitSlaMet: 0.5, handleSlaMet: 0.667 });
    const today = await stats('');
    expect(today.body).toMatchObject({ from: TODAY, to: TODAY, tickets: 2, served: 0, avgWaitMin: 10, waitSlaMet: 0.5, handleSlaMet: null });
  });

  it('rolls up the site tree with includeChildren', async () => {
    const r = await stats(`from=${D1}&to=${TODAY}&includeChildren=true`);
    expect(r.body.siteIds.sort()).toEqual([hall.siteId, hall.childSiteId].sort());
    // One more ticket (wait 15, handled 10) on top of the site's figures.
    expect(r.body).toMatchObject({ tickets: 12, served: 6, avgWaitMin: 17.8, p90WaitMin: 40, waitSlaMet: 0.545, handleSlaMet: 0.833 });
    expect(r.body.bySite).toEqual(expect.arrayContaining([
      expect.objectContaining({ siteId: hall.childSiteId, name: '测试社区中心', tickets: 1, served: 1, avgWaitMin: 15 }),
      expect.objectContaining({ siteId: hall.siteId, tickets: 11 }),
    ]));
  });

  it('is for supervisors of the site, over sensible ranges', async () => {
    expect((await stats('', hall.tokens.clerk)).status).toBe(403);
    expect((await t.api('GET', `/sites/${hall.otherSiteId}/stats`, undefined, bearer(hall.tokens.supervisor))).status).toBe(403);
    expect((await t.api('GET', `/sites/${randomUUID()}/stats`, undefined, bearer(hall.tokens.supervisor))).status).toBe(404);
    expect((await t.api('GET', `/sites/${hall.siteId}/stats`)).status).toBe(401);
    expect((await stats(`from=${TODAY}&to=${D1}`)).status).toBe(400);
    expect((await stats('from=2024-01-01&to=2026-01-01')).status).toBe(400);
    expect((await stats('from=yesterday')).status).toBe(400);
  });
});
