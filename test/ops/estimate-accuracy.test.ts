/**
 * Wait-estimate accounting on a replayed day: a simulated hall day (the real calling policy, and the real
 * `estimateWaits` giving each ticket its estimate and range as it joins) is written into the database as
 * that day's tickets; the supervisor's stats and /metrics must report exactly what `estimateAccuracy`
 * computes from the same records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../../server/src/db/schema/index.ts';
import { manualClock } from '../../server/src/lib/clock.ts';
import { hashToken } from '../../server/src/lib/secrets.ts';
import { localDate, zonedTimeToMs } from '../../server/src/lib/time.ts';
import { estimateAccuracy, type EstimateRecord } from '../../server/src/ops/core/estimate-accuracy.ts';
import { HOUR_MS, simulate, type SimTicket } from '../../server/src/ops/core/simulator.ts';
import { busyWindowFreeAt, estimateWaits } from '../../server/src/queue/core/eta.ts';
import { resolveServiceTargets } from '../../server/src/queue/core/types.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

const TZ = 'Asia/Shanghai';
const MIN = 60_000;
// Today in the hall's zone: /metrics counts tickets called in the last 24 h of the database's clock.
const DAY = localDate(Date.now(), TZ);
const origin = zonedTimeToMs(DAY, '00:00', TZ);
const clock = manualClock(zonedTimeToMs(DAY, '23:00', TZ));

let t: TestApp;
let hall: Hall;
const given: { t: SimTicket; estimateMin: number; lowMin: number; highMin: number }[] = [];

/** Two windows, 09:00–12:00, a busy morning of one general item (12-min exponential handling). */
function replayDay(): void {
  const scenario = {
    services: [{ id: 'g', targets: resolveServiceTargets({ complexity: 'general' }), handle: { kind: 'exponential' as const, meanMin: 12 } }],
    windows: ['w1', 'w2'].map((id) => ({ id, serviceIds: ['g'], open: [{ from: 9 * HOUR_MS, to: 12 * HOUR_MS, drain: true }] })),
    walkIns: [{ serviceId: 'g', from: 9 * HOUR_MS, to: 12 * HOUR_MS, ratePerHour: 9 }],
  };
  simulate(
    {
      ...scenario,
      onArrival: (ticket, h) => {
        const windows = h.windows.filter((w) => w.open).map(({ window, serving }) => ({
          id: window.id, serviceIds: window.serviceIds, busyUntil: serving ? busyWindowFreeAt(h.now, serving.calledAt ?? h.now, 12) : h.now,
        }));
        const r = estimateWaits({ now: h.now, waiting: h.waiting, windows, meanHandleMin: new Map([['g', 12]]), fallbackHandleMin: 12, only: new Set([ticket.id]) }).get(ticket.id);
        if (r?.etaMinutes != null) given.push({ t: ticket, estimateMin: r.etaMinutes, lowMin: r.etaMinutesLow ?? r.etaMinutes, highMin: r.etaMinutesHigh ?? r.etaMinutes });
      },
    },
    17,
  );
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  hall = await createHall(t);
  replayDay();
  let n = 0;
  for (const { t: s, estimateMin, lowMin, highMin } of given) {
    if (s.calledAt === null) continue;
    const at = (ms: number) => new Date(origin + ms);
    await t.app.deps.db.insert(tickets).values({
      siteId: hall.siteId, serviceId: hall.services.general, day: DAY, number: `R${String(++n).padStart(3, '0')}`, status: 'done',
      priority: 'normal', channel: 'kiosk', issuedAt: at(s.arrivalAt), waitAnchorAt: at(s.arrivalAt), dueAt: at(s.dueAt),
      calledAt: at(s.calledAt), lastCalledAt: at(s.calledAt), callCount: 1, startedAt: at(s.calledAt), finishedAt: at(s.calledAt + s.handleMin * MIN),
      etaAtIssueMin: estimateMin, etaLowAtIssueMin: lowMin, etaHighAtIssueMin: highMin, accessTokenHash: hashToken(`replay-${n}`),
    });
  }
});
afterAll(async () => t?.close());

function expected() {
  const records: EstimateRecord[] = given
    .filter((g) => g.t.calledAt !== null)
    // The stats count whole seconds of wait.
    .map((g) => ({ estimateMin: g.estimateMin, lowMin: g.lowMin, highMin: g.highMin, actualMin: Math.round(((g.t.calledAt as number) - g.t.arrivalAt) / 1000) / 60 }));
  return { n: records.length, ...estimateAccuracy(records) };
}

describe('wait-estimate accounting on a replayed day', () => {
  it('the day is worth checking: dozens of tickets, some told "now", some waits outside the range shown', () => {
    const e = expected();
    expect(e.n).toBeGreaterThan(15);
    // Called at once (told "now", no range on the screen) and shown a range: the share must judge only the latter.
    expect(e.rangeShown).toBeGreaterThan(5);
    expect(e.rangeShown).toBeLessThan(e.n);
    expect(e.shareInRange).toBeGreaterThan(0);
    expect(e.shareInRange).toBeLessThan(1);
  });

  it('the supervisor\'s stats report the MAE, the bias (estimate − actual) and, of those shown a range, the share inside it', async () => {
    const e = expected();
    const r = await t.api('GET', `/sites/${hall.siteId}/stats?from=${DAY}&to=${DAY}`, undefined, bearer(hall.tokens.supervisor));
    expect(r.status).toBe(200);
    expect(r.body.waitEstimate).toMatchObject({
      count: e.n,
      maeMin: Math.round((e.maeMin ?? NaN) * 10) / 10,
      // One sign everywhere: estimate − actual (positive: we said longer than it took).
      biasMin: Math.round((e.biasMin ?? NaN) * 10) / 10,
      rangeShown: e.rangeShown,
      shareInRange: Math.round((e.shareInRange ?? NaN) * 1000) / 1000,
    });
  });

  it('/metrics reports the same per site', async () => {
    const e = expected();
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    const gauge = (name: string) => Number(new RegExp(`^${name}\\{site="T-HALL"\\} (\\S+)$`, 'm').exec(res.body)?.[1]);
    expect(gauge('yc_wait_estimate_mae_minutes')).toBeCloseTo(e.maeMin ?? NaN, 2);
    expect(gauge('yc_wait_estimate_bias_minutes')).toBeCloseTo(e.biasMin ?? NaN, 2);
    expect(gauge('yc_wait_estimate_in_range_ratio')).toBeCloseTo(e.shareInRange ?? NaN, 6);
  });
});
