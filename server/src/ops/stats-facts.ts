/**
 * Service statistics as additive partial figures, pure. A site-day's tickets reduce to `DayFacts` (counts,
 * sums, sorted waits); facts merge by addition; `summarise` turns merged facts into the ratios and means
 * of `GET /sites/:siteId/stats`. The nightly roll-up stores `DayFacts` per site and day, and today's live
 * tickets go through the very same function, so the two can never disagree.
 *
 * Definitions (minutes unless named otherwise):
 * - wait = first call − issue (`calledAt − issuedAt`); a recall does not move it.
 * - waitSlaMet = share called by `dueAt`, among tickets whose wait target was put to the test: every called
 *   ticket, plus those never called that were still waiting past `dueAt` or cancelled after it (a citizen
 *   who gave up after the target is a miss, not a ticket that "doesn't count").
 * - handleSlaMet = share of done tickets with `finishedAt − startedAt ≤ targetHandleMin` of the item.
 * - A clerk's idle share = 1 − busy / staffed, busy = union of [first call, end] of the tickets it called,
 *   staffed = from its first call to its last end that day (window open/close times are not logged).
 * - Wait-estimate accuracy: mean absolute error of the estimate given at issue (`etaAtIssueMin`) against the
 *   actual wait, over called tickets that got an estimate; bias = mean of estimate − actual; share in range =
 *   share of the tickets whose screen showed a range at issue (`showsRange`: `etaLowAtIssueMin`–
 *   `etaHighAtIssueMin` with a high of 2 min or more; rows from before the low edge was kept read
 *   `etaAtIssueMin`–`etaHighAtIssueMin`, the range shown then) whose wait fell inside it (`insideRange`, the
 *   outcomes bench's definition). Those told "now" are not judged: the screen promised them no range.
 */
import { insideRange, showsRange } from './core/estimate-accuracy.ts';
import { assertUnreachable, type TicketStatus } from '../queue/core/types.ts';

export interface TicketFact {
  serviceId: string;
  windowId: string | null;
  /** The staff member who called it (first call). */
  clerkId: string | null;
  status: TicketStatus;
  issuedAt: number;
  dueAt: number;
  calledAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  etaAtIssueMin: number | null;
  etaLowAtIssueMin: number | null;
  etaHighAtIssueMin: number | null;
  targetHandleMin: number;
}

export interface ServiceFacts {
  tickets: number;
  served: number;
  noShows: number;
  cancelled: number;
  transferred: number;
  called: number;
  waitSecSum: number;
  /** Waits of called tickets in whole seconds, sorted: percentiles stay exact across merged days. */
  waitSecs: number[];
  waitMeasured: number;
  waitMet: number;
  handled: number;
  handleSecSum: number;
  handleMet: number;
  etaCount: number;
  etaAbsErrMinSum: number;
  etaErrMinSum: number;
  /**
   * Called tickets whose screen showed a range at issue (`showsRange`), and those whose wait fell inside it.
   * Absent in roll-ups written before (their `etaRanged` counted every ticket with a high edge, the ones
   * told "now" included: another population, not read).
   */
  etaShown: number;
  etaShownInRange: number;
}

export interface WindowFacts {
  calls: number;
  served: number;
  handled: number;
  handleSecSum: number;
}

export interface ClerkFacts extends WindowFacts {
  busySec: number;
  staffedSec: number;
}

export interface DayFacts {
  byService: Record<string, ServiceFacts>;
  byWindow: Record<string, WindowFacts>;
  byClerk: Record<string, ClerkFacts>;
}

export const emptyFacts = (): DayFacts => ({ byService: {}, byWindow: {}, byClerk: {} });

const emptyService = (): ServiceFacts => ({
  tickets: 0, served: 0, noShows: 0, cancelled: 0, transferred: 0, called: 0, waitSecSum: 0, waitSecs: [],
  waitMeasured: 0, waitMet: 0, handled: 0, handleSecSum: 0, handleMet: 0, etaCount: 0, etaAbsErrMinSum: 0, etaErrMinSum: 0,
  etaShown: 0, etaShownInRange: 0,
});
const emptyWindow = (): WindowFacts => ({ calls: 0, served: 0, handled: 0, handleSecSum: 0 });
const emptyClerk = (): ClerkFacts => ({ ...emptyWindow(), busySec: 0, staffedSec: 0 });

function entry<T>(record: Record<string, T>, key: string, make: () => T): T {
  let v = record[key];
  if (v === undefined) {
    v = make();
    record[key] = v;
  }
  return v;
}

/**
 * The end of a ticket's time at the window, for the clerk's busy time: its finish, or `now` while it is still
 * at the window; `null` when neither is known (a past day's ticket left open).
 */
function windowEnd(t: TicketFact, now: number): number | null {
  switch (t.status) {
    case 'done':
    case 'noShow':
    case 'transferred':
    case 'cancelled':
      return t.finishedAt;
    case 'called':
    case 'serving':
    case 'suspended':
      return now;
    case 'waiting':
      return null;
    default:
      return assertUnreachable(t.status);
  }
}

/** One site-day's tickets → facts. `now` closes the intervals of tickets still at a window (today). */
export function factsOfDay(tickets: readonly TicketFact[], now: number): DayFacts {
  const facts = emptyFacts();
  const intervals = new Map<string, [number, number][]>();
  for (const t of tickets) {
    const s = entry(facts.byService, t.serviceId, emptyService);
    s.tickets++;
    if (t.status === 'done') s.served++;
    else if (t.status === 'noShow') s.noShows++;
    else if (t.status === 'cancelled') s.cancelled++;
    else if (t.status === 'transferred') s.transferred++;

    const handleSec = t.status === 'done' && t.startedAt !== null && t.finishedAt !== null ? Math.max(0, Math.round((t.finishedAt - t.startedAt) / 1000)) : null;
    if (handleSec !== null) {
      s.handled++;
      s.handleSecSum += handleSec;
      if (handleSec <= t.targetHandleMin * 60) s.handleMet++;
    }

    if (t.calledAt !== null) {
      const waitSec = Math.max(0, Math.round((t.calledAt - t.issuedAt) / 1000));
      s.called++;
      s.waitSecSum += waitSec;
      s.waitSecs.push(waitSec);
      s.waitMeasured++;
      if (t.calledAt <= t.dueAt) s.waitMet++;
      if (t.etaAtIssueMin !== null) {
        const err = t.etaAtIssueMin - waitSec / 60;
        s.etaCount++;
        s.etaAbsErrMinSum += Math.abs(err);
        s.etaErrMinSum += err;
        const low = t.etaLowAtIssueMin ?? t.etaAtIssueMin;
        if (t.etaHighAtIssueMin !== null && showsRange(low, t.etaHighAtIssueMin)) {
          s.etaShown++;
          if (insideRange(waitSec / 60, low, t.etaHighAtIssueMin)) s.etaShownInRange++;
        }
      }
      const targets: [Record<string, WindowFacts | ClerkFacts>, string | null, () => WindowFacts | ClerkFacts][] = [
        [facts.byWindow, t.windowId, emptyWindow],
        [facts.byClerk, t.clerkId, emptyClerk],
      ];
      for (const [record, key, make] of targets) {
        if (key === null) continue;
        const w = entry(record, key, make);
        w.calls++;
        if (t.status === 'done') w.served++;
        if (handleSec !== null) {
          w.handled++;
          w.handleSecSum += handleSec;
        }
      }
      const end = windowEnd(t, now);
      if (t.clerkId !== null && end !== null && end >= t.calledAt) {
        const list = intervals.get(t.clerkId) ?? [];
        list.push([t.calledAt, end]);
        intervals.set(t.clerkId, list);
      }
    } else {
      // Never called: the target was missed if the ticket was still there after its due time.
      const leftAt = t.status === 'waiting' ? now : t.finishedAt;
      if (leftAt !== null && leftAt > t.dueAt) s.waitMeasured++;
    }
  }
  for (const s of Object.values(facts.byService)) s.waitSecs.sort((a, b) => a - b);
  for (const [clerkId, list] of intervals) {
    const c = entry(facts.byClerk, clerkId, emptyClerk);
    list.sort((a, b) => a[0] - b[0]);
    let busy = 0;
    let curStart = list[0]?.[0] ?? 0;
    let curEnd = curStart;
    for (const [start, end] of list) {
      if (start > curEnd) {
        busy += curEnd - curStart;
        curStart = start;
      }
      curEnd = Math.max(curEnd, end);
    }
    busy += curEnd - curStart;
    const first = list[0]?.[0] ?? 0;
    const last = Math.max(...list.map((i) => i[1]));
    c.busySec += Math.round(busy / 1000);
    c.staffedSec += Math.round((last - first) / 1000);
  }
  return facts;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}

function addInto<T extends object>(target: T, source: T): void {
  for (const key of Object.keys(source) as (keyof T)[]) {
    const v = source[key];
    if (typeof v === 'number') (target[key] as number) = ((target[key] as number) ?? 0) + v;
  }
}

/** Facts of several days or sites, added up. */
export function mergeFacts(list: Iterable<DayFacts>): DayFacts {
  const out = emptyFacts();
  for (const f of list) {
    for (const [id, s] of Object.entries(f.byService)) {
      const t = entry(out.byService, id, emptyService);
      addInto(t, s);
      t.waitSecs = mergeSorted(t.waitSecs, s.waitSecs);
    }
    for (const [id, w] of Object.entries(f.byWindow)) addInto(entry(out.byWindow, id, emptyWindow), w);
    for (const [id, c] of Object.entries(f.byClerk)) addInto(entry(out.byClerk, id, emptyClerk), c);
  }
  return out;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? Math.round((num / den) * 1000) / 1000 : null);
const minutes = (sec: number, n: number): number | null => (n > 0 ? Math.round((sec / n / 60) * 10) / 10 : null);

/** Nearest-rank percentile (the smallest wait with at least q of the waits at or below it). */
export function percentileMin(sortedSecs: readonly number[], q: number): number | null {
  if (sortedSecs.length === 0) return null;
  const rank = Math.min(sortedSecs.length, Math.max(1, Math.ceil(q * sortedSecs.length)));
  return Math.round(((sortedSecs[rank - 1] as number) / 60) * 10) / 10;
}

export interface TicketSummary {
  tickets: number;
  served: number;
  noShows: number;
  cancelled: number;
  transferred: number;
  avgWaitMin: number | null;
  p90WaitMin: number | null;
  waitSlaMet: number | null;
  handleSlaMet: number | null;
  meanHandleMin: number | null;
}

export function summariseService(s: ServiceFacts): TicketSummary {
  return {
    tickets: s.tickets,
    served: s.served,
    noShows: s.noShows,
    cancelled: s.cancelled,
    transferred: s.transferred,
    avgWaitMin: minutes(s.waitSecSum, s.called),
    p90WaitMin: percentileMin(s.waitSecs, 0.9),
    waitSlaMet: ratio(s.waitMet, s.waitMeasured),
    handleSlaMet: ratio(s.handleMet, s.handled),
    meanHandleMin: minutes(s.handleSecSum, s.handled),
  };
}

/** All services of some facts as one. */
export function totalOf(f: DayFacts): ServiceFacts {
  const total = emptyService();
  for (const s of Object.values(f.byService)) {
    addInto(total, s);
    total.waitSecs = mergeSorted(total.waitSecs, s.waitSecs);
  }
  return total;
}

export function waitEstimateOf(s: ServiceFacts): { count: number; maeMin: number | null; biasMin: number | null; rangeShown: number; shareInRange: number | null } {
  // Roll-ups written before the shown ranges were counted lack the two fields.
  const ranged = s.etaShown ?? 0;
  return {
    count: s.etaCount,
    maeMin: s.etaCount > 0 ? Math.round((s.etaAbsErrMinSum / s.etaCount) * 10) / 10 : null,
    biasMin: s.etaCount > 0 ? Math.round((s.etaErrMinSum / s.etaCount) * 10) / 10 : null,
    rangeShown: ranged,
    shareInRange: ranged > 0 ? Math.round(((s.etaShownInRange ?? 0) / ranged) * 1000) / 1000 : null,
  };
}

export function summariseWindow(w: WindowFacts): { calls: number; served: number; meanHandleMin: number | null } {
  return { calls: w.calls, served: w.served, meanHandleMin: minutes(w.handleSecSum, w.handled) };
}

export function summariseClerk(c: ClerkFacts): { calls: number; served: number; meanHandleMin: number | null; idleShare: number | null } {
  return { ...summariseWindow(c), idleShare: c.staffedSec > 0 ? ratio(Math.max(0, c.staffedSec - c.busySec), c.staffedSec) : null };
}
