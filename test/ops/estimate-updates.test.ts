/**
 * The estimates a citizen's phone shows after issue are kept (each ticket and range once) and reported beside
 * the one given at issue: the supervisor sees how right the later updates were, from the remaining wait.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { localDate, zonedTimeToMs } from '../../server/src/lib/time.ts';
import { estimateAccuracy } from '../../server/src/ops/core/estimate-accuracy.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

const TZ = 'Asia/Shanghai';
const MIN = 60_000;
const DAY = localDate(Date.now(), TZ);
const clock = manualClock(zonedTimeToMs(DAY, '10:00', TZ));

let t: TestApp;
let hall: Hall;
beforeAll(async () => {
  t = await createTestApp({ clock });
  hall = await createHall(t);
});
afterAll(async () => t?.close());

const staff = (method: 'GET' | 'POST', path: string, body?: unknown) => t.api(method, path, body, bearer(hall.tokens.clerk));
const issue = async () => {
  const r = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
  expect(r.status).toBe(201);
  return r.body as { id: string; accessToken: string };
};
const kept = async (ticketId: string) =>
  ((await t.app.deps.db.execute(sql`SELECT eta_min, low_min, high_min, shown_at FROM ticket_estimate_updates WHERE ticket_id = ${ticketId} ORDER BY shown_at`)) as unknown as {
    rows: { eta_min: number; low_min: number; high_min: number; shown_at: Date | string }[];
  }).rows;

describe('the estimates a citizen saw after issue', () => {
  it('keeps each new range the phone showed once, not staff reads, and reports their accuracy from the remaining wait', async () => {
    // Window 1 is busy with A; B and then C wait for it.
    expect((await staff('POST', `/windows/${hall.windows.w1}/open`)).status).toBe(200);
    const a = await issue();
    const b = await issue();
    const c = await issue();
    expect((await staff('POST', `/windows/${hall.windows.w1}/call-next`)).body.id).toBe(a.id);
    expect((await staff('POST', `/tickets/${a.id}/start`)).status).toBe(200);

    const asCitizen = () => t.api('GET', `/tickets/${c.id}`, undefined, { 'x-access-token': c.accessToken });
    const first = await asCitizen();
    expect(first.body.etaMinutes).toBeGreaterThan(0);
    await asCitizen(); // the same range again: a refresh, not an update
    expect((await staff('GET', `/tickets/${c.id}`)).status).toBe(200); // staff reads are not what the citizen saw
    await expect.poll(async () => (await kept(c.id)).length).toBe(1);

    // B is called: C is next, and its phone shows a shorter wait.
    clock.advance(6 * MIN);
    expect((await staff('POST', `/tickets/${a.id}/finish`, {})).status).toBe(200);
    expect((await staff('POST', `/windows/${hall.windows.w1}/call-next`)).body.id).toBe(b.id);
    expect((await staff('POST', `/tickets/${b.id}/start`)).status).toBe(200);
    const second = await asCitizen();
    expect(second.body.etaMinutes).not.toBe(first.body.etaMinutes);
    await expect.poll(async () => (await kept(c.id)).length).toBe(2);

    // A second window opens idle: the phone says "very soon" (0–0, no range, no "8 in 10" promise). Its clerk
    // does not call, so C still waits for window 1: a miss the screen never promised against, not judged.
    expect((await t.api('POST', `/windows/${hall.windows.w2}/open`, undefined, bearer(hall.tokens.supervisor))).status).toBe(200);
    const third = await asCitizen();
    expect([third.body.etaMinutes, third.body.etaMinutesLow, third.body.etaMinutesHigh]).toEqual([0, 0, 0]);
    await expect.poll(async () => (await kept(c.id)).length).toBe(3);

    clock.advance(9 * MIN);
    expect((await staff('POST', `/tickets/${b.id}/finish`, {})).status).toBe(200);
    expect((await staff('POST', `/windows/${hall.windows.w1}/call-next`)).body.id).toBe(c.id);
    const calledAt = clock.now();

    const rows = await kept(c.id);
    expect(rows.map((r) => [r.eta_min, r.low_min, r.high_min])).toEqual(
      [first.body, second.body, third.body].map((s) => [s.etaMinutes, s.etaMinutesLow, s.etaMinutesHigh]),
    );
    const e = estimateAccuracy(rows.map((r) => ({
      estimateMin: r.eta_min, lowMin: r.low_min, highMin: r.high_min, actualMin: (calledAt - new Date(r.shown_at).getTime()) / MIN,
    })));
    expect(e.rangeShown).toBe(2);
    const stats = await t.api('GET', `/sites/${hall.siteId}/stats?from=${DAY}&to=${DAY}`, undefined, bearer(hall.tokens.supervisor));
    expect(stats.status).toBe(200);
    expect(stats.body.waitEstimate.updates).toEqual({
      count: 3,
      maeMin: Math.round((e.maeMin ?? NaN) * 10) / 10,
      // One sign everywhere: estimate − actual (positive: we said longer than it took).
      biasMin: Math.round((e.biasMin ?? NaN) * 10) / 10,
      rangeShown: e.rangeShown,
      shareInRange: Math.round((e.shareInRange ?? NaN) * 1000) / 1000,
    });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    const share = Number(/^yc_wait_estimate_updates_in_range_ratio\{site="T-HALL"\} (\S+)$/m.exec(metrics.body)?.[1]);
    expect(share).toBeCloseTo(e.shareInRange ?? NaN, 6);
  });
});
