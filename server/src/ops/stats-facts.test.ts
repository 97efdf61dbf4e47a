import { describe, expect, it } from 'vitest';
import { factsOfDay, mergeFacts, percentileMin, summariseClerk, summariseService, summariseWindow, totalOf, waitEstimateOf, type TicketFact } from './stats-facts.ts';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 23, 1, 0); // 09:00 in Shanghai
const base: TicketFact = {
  serviceId: 's1', windowId: 'w1', clerkId: 'c1', status: 'done', issuedAt: T0, dueAt: T0 + 30 * M,
  calledAt: null, startedAt: null, finishedAt: null, etaAtIssueMin: null, etaLowAtIssueMin: null, etaHighAtIssueMin: null, targetHandleMin: 20,
};
/** Issued at minute `i`, called at `c`, served `s`..`f` (minutes after T0). */
const ticket = (i: number, c: number | null, s: number | null, f: number | null, over: Partial<TicketFact> = {}): TicketFact => ({
  ...base, issuedAt: T0 + i * M, dueAt: T0 + (i + 30) * M,
  calledAt: c === null ? null : T0 + c * M, startedAt: s === null ? null : T0 + s * M, finishedAt: f === null ? null : T0 + f * M, ...over,
});

describe('factsOfDay and summaries', () => {
  // Clerk c1 at window w1: four tickets. Waits 5, 20, 40, 10 min; handling 10, 25 min; one no-show.
  const day = [
    ticket(0, 5, 6, 16, { etaAtIssueMin: 3, etaHighAtIssueMin: 6 }),
    ticket(0, 20, 21, 46, { etaAtIssueMin: 25, etaHighAtIssueMin: 40 }),
    ticket(10, 50, null, 55, { status: 'noShow' }),
    ticket(60, 70, 71, 81, { serviceId: 's2', etaAtIssueMin: 10 }),
    // Never called: cancelled after its due time (a miss), cancelled before it (not measured), waiting past due (a miss).
    ticket(0, null, null, 45, { status: 'cancelled', windowId: null, clerkId: null }),
    ticket(0, null, null, 10, { status: 'cancelled', windowId: null, clerkId: null }),
    ticket(100, null, null, null, { status: 'waiting', windowId: null, clerkId: null }),
  ];
  const now = T0 + 200 * M;
  const facts = factsOfDay(day, now);

  it('counts tickets by outcome and measures waits to the first call', () => {
    const all = summariseService(totalOf(facts));
    expect(all).toMatchObject({ tickets: 7, served: 3, noShows: 1, cancelled: 2 });
    expect(all.avgWaitMin).toBe(18.8); // (5 + 20 + 40 + 10) / 4
    expect(all.p90WaitMin).toBe(40); // nearest rank: ceil(0.9·4) = 4th of 5, 10, 20, 40
    // Measured: 4 called + the late cancellation + the overdue waiting ticket = 6; met: 5, 20, 10 min → 3.
    expect(all.waitSlaMet).toBe(0.5);
    // Handled: 10, 25, 10 min against 20 → 2 of 3.
    expect(all.handleSlaMet).toBe(0.667);
    expect(all.meanHandleMin).toBe(15);
  });

  it('splits by service and by window, and measures the wait estimate', () => {
    expect(summariseService(facts.byService.s2!)).toMatchObject({ tickets: 1, served: 1, avgWaitMin: 10, waitSlaMet: 1 });
    expect(summariseWindow(facts.byWindow.w1!)).toEqual({ calls: 4, served: 3, meanHandleMin: 15 });
    // |3 − 5| + |25 − 20| + |10 − 10| = 7 over 3 → 2.3; signed (−2 + 5 + 0) / 3 = 1.
    // Ranges 3–6 (waited 5: inside) and 25–40 (waited 20: below); the third ticket was shown no range.
    expect(waitEstimateOf(totalOf(facts))).toEqual({ count: 3, maeMin: 2.3, biasMin: 1, rangeShown: 2, shareInRange: 0.5 });
  });
  it('judges the range shown, low–high: a wait under the estimate but above the low edge is inside', () => {
    // Told 25 (18–34), called at 20: inside. Rows from before the low edge was kept read 25–34: outside.
    const told = { etaAtIssueMin: 25, etaHighAtIssueMin: 34 };
    const withLow = factsOfDay([ticket(0, 20, 21, 30, { ...told, etaLowAtIssueMin: 18 })], now);
    const withoutLow = factsOfDay([ticket(0, 20, 21, 30, told)], now);
    expect(waitEstimateOf(totalOf(withLow)).shareInRange).toBe(1);
    expect(waitEstimateOf(totalOf(withoutLow)).shareInRange).toBe(0);
  });

  it('judges only tickets whose screen showed a range: one told "now" (0–0) or "soon" (0–1) was promised none', () => {
    const day = factsOfDay([
      ticket(0, 0, 1, 10, { etaAtIssueMin: 0, etaLowAtIssueMin: 0, etaHighAtIssueMin: 0 }),
      ticket(0, 1, 2, 10, { etaAtIssueMin: 1, etaLowAtIssueMin: 0, etaHighAtIssueMin: 1 }),
      ticket(0, 12, 13, 20, { etaAtIssueMin: 5, etaLowAtIssueMin: 3, etaHighAtIssueMin: 8 }),
    ], now);
    // Before: 2 of 3 "inside"; the one citizen told a range waited past it.
    expect(waitEstimateOf(totalOf(day))).toMatchObject({ count: 3, rangeShown: 1, shareInRange: 0 });
  });

  it('reads a roll-up written before shown ranges were counted as "no range figure", not as zero', () => {
    const old = totalOf(facts) as Partial<ReturnType<typeof totalOf>>;
    delete old.etaShown;
    delete old.etaShownInRange;
    expect(waitEstimateOf(totalOf(mergeFacts([{ ...facts, byService: { s1: old as ReturnType<typeof totalOf> } }]))).shareInRange).toBeNull();
  });

  it('gives a clerk its idle share between its first call and its last finish', () => {
    // Staffed 5 → 81 = 76 min; busy [5,16] ∪ [20,46] ∪ [50,55] ∪ [70,81] = 11 + 26 + 5 + 11 = 53 → idle 23/76.
    expect(summariseClerk(facts.byClerk.c1!)).toEqual({ calls: 4, served: 3, meanHandleMin: 15, idleShare: 0.303 });
  });

  it('counts overlapping tickets once in the busy time, and a ticket still at the window until now', () => {
    const f = factsOfDay([ticket(0, 0, 1, 20), ticket(0, 10, 11, 30, { status: 'serving', finishedAt: null })], T0 + 40 * M);
    // Busy [0, 40] (the serving one runs to now), staffed 0 → 40: never idle.
    expect(summariseClerk(f.byClerk.c1!).idleShare).toBe(0);
  });

  it('merges days exactly, percentiles included', () => {
    const a = factsOfDay([ticket(0, 1, 2, 3), ticket(0, 3, 4, 5)], now);
    const b = factsOfDay([ticket(0, 2, 3, 4), ticket(0, 30, 31, 32), ticket(0, 4, 5, 6, { serviceId: 's2' })], now);
    const merged = mergeFacts([a, b]);
    expect(merged.byService.s1!.waitSecs).toEqual([60, 120, 180, 1800]);
    expect(merged.byService.s1!.tickets).toBe(4);
    expect(summariseService(totalOf(merged)).p90WaitMin).toBe(30);
    expect(merged.byClerk.c1!.calls).toBe(5);
    expect(mergeFacts([])).toEqual({ byService: {}, byWindow: {}, byClerk: {} });
  });

  it('reports nothing rather than zero when there is nothing to measure', () => {
    const s = summariseService(totalOf(factsOfDay([], now)));
    expect(s).toMatchObject({ tickets: 0, avgWaitMin: null, p90WaitMin: null, waitSlaMet: null, handleSlaMet: null });
    expect(percentileMin([], 0.9)).toBeNull();
  });
});
