import { compareForCalling, type CallingWindow, type QueuedTicket } from './calling-order.ts';
import { MinHeap } from './min-heap.ts';
import { MINUTE_MS } from './types.ts';

export interface EtaWindow extends CallingWindow {
  /** When the window can call next: `now` (or earlier) if idle, the expected end of the current service if busy. */
  busyUntil: number;
}

export interface EtaInput {
  now: number;
  waiting: readonly QueuedTicket[];
  /** Open windows only: a closed window calls no one. */
  windows: readonly EtaWindow[];
  /** Mean handling minutes per serviceId (from history; the caller falls back to the target). */
  meanHandleMin: ReadonlyMap<string, number>;
  /** Used for a service missing from `meanHandleMin`. */
  fallbackHandleMin: number;
  /**
   * Only these tickets' results are wanted (the rest still play, as competitors). A kiosk rush asks for
   * the few tickets just issued out of thousands waiting; the play then stops once they are all placed.
   */
  only?: ReadonlySet<string>;
}

export interface EtaResult {
  /**
   * 1-based. For a ticket some open window can serve: 1 + the number of tickets called before it in the
   * forward play among tickets that compete for the same windows (its connected group of services and
   * windows), so an unrelated counter's crowd does not inflate it. For an unserved ticket (no open window
   * can serve it): its rank in calling order among the waiting tickets of its service.
   */
  position: number;
  /** Likely minutes until the call, rounded up, ≥ 0; `null` while no open window can serve the ticket. */
  etaMinutes: number | null;
  /** The range's low edge in minutes, ≤ `etaMinutes`; `null` when `etaMinutes` is. */
  etaMinutesLow: number | null;
  /** The range's high edge in minutes, ≥ `etaMinutes`; `null` when `etaMinutes` is. */
  etaMinutesHigh: number | null;
}

/**
 * The range shown to the citizen at position k around the play's wait w, in gaps g = w/k (the play's mean
 * time between calls ahead of the citizen): low = w − RANGE_LOW_GAPS·g, high = w + RANGE_HIGH_GAPS·(k − 1)·g,
 * i.e. `w·(1 − 1/k)` to `w·(1 + 1.2·(1 − 1/k))`.
 * - Low: some window frees about a gap sooner than the play's means say (the first window to free is the
 *   minimum of several residual services); the first in line may be called any moment (low 0).
 * - High: each citizen ahead can cost more than a gap, and citizens who come later but are due sooner
 *   (appointments checking in, priority groups) overtake; none can overtake the first in line, so the high
 *   edge grows with the k − 1 ahead. The spread is not CV/√k: measured, the wait's error relative to w grows
 *   with k (its 90th percentile +0.3·w at k = 1, +1.0·w at 2, +1.5 to +1.9·w from 4 on, utilisation 0.85).
 * Rationale for 1 and 1.2: fitted with `npm run bench:outcomes` ("shown a range" columns) on the citizens
 * whose screen shows a range and the sentence "about 8 in 10 are called within it" (high ≥ 2 min and above
 * low: web-citizen's `waitRange`, ops/core `showsRange`): 82 % of their waits fall inside at utilisation
 * 0.85 (83 % at 0.75, 78 % at 0.95), about 6 % before the low edge and 12 % after the high one, median width
 * 5 min. The low side is kept generous: a citizen called before the low edge may have stepped out. The
 * previous `wait·(1 ± 0.35/√k)` put 55 % of them inside (58 / 49 % at 0.75 / 0.95), 3 min wide: its 81 % of
 * all tickets was mostly those called at once (told 0 min, "now" on the screen, no range).
 */
export const RANGE_LOW_GAPS = 1;
export const RANGE_HIGH_GAPS = 1.2;

/**
 * Rationale: a service already past its mean still has a while to go (with handling CV ≈ 0.8 its expected
 * remainder is about 0.3 of the mean); taking it as ending now made every wait behind it too short
 * (bias, estimate − actual, −1.4 min at utilisation 0.85 in bench:outcomes; −0.2 with this).
 */
export const OVERRUN_REMAINDER_SHARE = 0.3;

/** When a busy window is expected to call next: its start + the mean, or a little after now if it runs over. */
export function busyWindowFreeAt(now: number, startedAt: number, meanHandleMin: number): number {
  return Math.max(startedAt + meanHandleMin * MINUTE_MS, now + OVERRUN_REMAINDER_SHARE * meanHandleMin * MINUTE_MS);
}

/**
 * The range around a play's wait for position k (≥ 1), in whole minutes: low rounded down, high rounded up.
 * Worked example: 10 min at position 4 (a gap of 2.5 min) → 7.5 → 7 to 10 + 1.2·3·2.5 = 19 min.
 */
export function waitRange(waitMs: number, position: number): { low: number; high: number } {
  const k = Math.max(1, position);
  const gapMs = waitMs / k;
  // The 1e-9 keeps an edge that is a whole minute (10 − 5 = 5) from moving a minute through floating error.
  return {
    low: Math.max(0, Math.floor((waitMs - RANGE_LOW_GAPS * gapMs) / MINUTE_MS + 1e-9)),
    high: Math.max(0, Math.ceil((waitMs + RANGE_HIGH_GAPS * (k - 1) * gapMs) / MINUTE_MS - 1e-9)),
  };
}

interface TicketRun<T> {
  items: T[];
  head: number;
}

/**
 * Plays the queue forward: repeatedly the window that frees first (ties: earlier in `windows`) calls what
 * `pickNext` would pick among the remaining tickets, and stays busy for the service's mean handling time.
 * A window with nothing left it may serve leaves the play (the remaining set only shrinks).
 *
 * Cost O(n log n + n·s + n log w) for n tickets, w windows and s services per window: tickets are sorted
 * once per service (and per target window), and a picking window merges the heads of its services' runs.
 * The play is equivalent to calling `pickNext` on the remaining tickets each time (tested).
 *
 * Worked example: one window busy until now + 5 min, three general tickets A < B < C (calling order),
 * mean handling 10 min → A at 5 (position 1), B at 15 (2), C at 25 (3).
 */
export function estimateWaits(input: EtaInput): Map<string, EtaResult> {
  const { windows, only } = input;
  const result = new Map<string, EtaResult>();
  const wanted = (id: string) => only === undefined || only.has(id);
  const served = servedBy(windows);
  // The wanted tickets no open window serves (ranked, not played), and how many the play must place.
  let unservedWanted: QueuedTicket[] = [];
  let wantedLeft = 0;
  if (only === undefined) {
    unservedWanted = input.waiting.filter((t) => !served(t));
    wantedLeft = Infinity;
  } else {
    for (const t of input.waiting) {
      if (!only.has(t.id)) continue;
      if (served(t)) wantedLeft++;
      else unservedWanted.push(t);
    }
  }

  // Nothing wanted that the play would place: no play.
  if (wantedLeft > 0) playForward(input, wanted, wantedLeft, result);
  rankUnserved(input.waiting, unservedWanted, result);
  return result;
}

/** The forward play itself, writing the results of `wanted` tickets; it stops once `wantedLeft` are placed. */
function playForward(input: EtaInput, wanted: (id: string) => boolean, wantedLeft: number, result: Map<string, EtaResult>): void {
  const { now, windows } = input;
  // Runs: untargeted tickets per service, targeted tickets per open window.
  const openWindowIds = new Set(windows.map((w) => w.id));
  const byService = new Map<string, TicketRun<QueuedTicket>>();
  const byWindow = new Map<string, TicketRun<QueuedTicket>>();
  for (const t of input.waiting) {
    const target = t.targetWindowId;
    if (target != null) {
      if (!openWindowIds.has(target)) continue; // unserved; ranked below
      runOf(byWindow, target).items.push(t);
    } else {
      runOf(byService, t.serviceId).items.push(t);
    }
  }
  for (const run of byService.values()) run.items.sort(compareForCalling);
  for (const run of byWindow.values()) run.items.sort(compareForCalling);

  // Groups of services and windows connected by "window serves service": the competitors for `position`.
  const groups = new UnionFind();
  for (const w of windows) for (const s of w.serviceIds) groups.union(`w:${w.id}`, `s:${s}`);
  const groupOf = windows.map((w) => groups.find(`w:${w.id}`));
  const calledInGroup = new Map<string, number>();

  const candidates: TicketRun<QueuedTicket>[][] = windows.map((w) => {
    const runs: TicketRun<QueuedTicket>[] = [];
    for (const s of new Set(w.serviceIds)) {
      const run = byService.get(s);
      if (run) runs.push(run);
    }
    const own = byWindow.get(w.id);
    // A ticket targeted at this window must also be of a service it serves (isEligible).
    if (own) runs.push({ items: own.items.filter((t) => w.serviceIds.includes(t.serviceId)), head: 0 });
    return runs;
  });

  const free = new MinHeap<{ at: number; index: number }>((a, b) => a.at - b.at || a.index - b.index);
  windows.forEach((w, index) => free.push({ at: Math.max(w.busyUntil, now), index }));

  for (let slot = free.pop(); slot !== undefined; slot = free.pop()) {
    const runs = candidates[slot.index] ?? [];
    let bestRun: TicketRun<QueuedTicket> | undefined;
    let best: QueuedTicket | undefined;
    for (const run of runs) {
      const head = run.items[run.head];
      if (head !== undefined && (best === undefined || compareForCalling(head, best) < 0)) {
        best = head;
        bestRun = run;
      }
    }
    if (best === undefined || bestRun === undefined) continue; // nothing left for this window: it leaves
    bestRun.head++;
    const group = groupOf[slot.index] ?? '';
    const position = (calledInGroup.get(group) ?? 0) + 1;
    calledInGroup.set(group, position);
    if (wanted(best.id)) {
      const waitMs = Math.round(slot.at - now);
      const eta = Math.ceil(waitMs / MINUTE_MS);
      const { low, high } = waitRange(waitMs, position);
      result.set(best.id, { position, etaMinutes: eta, etaMinutesLow: Math.min(low, eta), etaMinutesHigh: Math.max(high, eta) });
      // Tickets later in the play cannot change a placed one's result.
      if (--wantedLeft === 0) break;
    }
    const handleMin = input.meanHandleMin.get(best.serviceId) ?? input.fallbackHandleMin;
    free.push({ at: slot.at + handleMin * MINUTE_MS, index: slot.index });
  }
}

/**
 * Whether the play calls a ticket: some window in it serves the ticket's item and may take it (a targeted
 * ticket only at its window). A window leaves the play only once nothing it may serve is left.
 */
function servedBy(windows: readonly EtaWindow[]): (t: QueuedTicket) => boolean {
  const byId = new Map(windows.map((w) => [w.id, w]));
  const anyServes = new Set(windows.flatMap((w) => w.serviceIds));
  return (t) => {
    if (t.targetWindowId == null) return anyServes.has(t.serviceId);
    return byId.get(t.targetWindowId)?.serviceIds.includes(t.serviceId) ?? false;
  };
}

function runOf(map: Map<string, TicketRun<QueuedTicket>>, key: string): TicketRun<QueuedTicket> {
  let run = map.get(key);
  if (!run) {
    run = { items: [], head: 0 };
    map.set(key, run);
  }
  return run;
}

/**
 * Tickets the play never calls (no open window may serve them), ranked in calling order among all the
 * waiting tickets of their service: 1 + those ahead. One pass over the waiting, each placed among the
 * `wanted` (sorted) by binary search: O(n log k) for k wanted.
 */
function rankUnserved(waiting: readonly QueuedTicket[], wanted: readonly QueuedTicket[], result: Map<string, EtaResult>): void {
  if (wanted.length === 0) return;
  const wantedByService = new Map<string, QueuedTicket[]>();
  for (const t of wanted) {
    const list = wantedByService.get(t.serviceId);
    if (list) list.push(t);
    else wantedByService.set(t.serviceId, [t]);
  }
  const aheadCounts = new Map<string, number[]>();
  for (const [serviceId, list] of wantedByService) {
    list.sort(compareForCalling);
    aheadCounts.set(serviceId, new Array<number>(list.length).fill(0));
  }
  for (const t of waiting) {
    const list = wantedByService.get(t.serviceId);
    const counts = aheadCounts.get(t.serviceId);
    if (!list || !counts) continue;
    // The first wanted ticket t comes before: t is ahead of it and of every later one.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareForCalling(t, list[mid] as QueuedTicket) < 0) hi = mid;
      else lo = mid + 1;
    }
    if (lo < counts.length) counts[lo] = (counts[lo] ?? 0) + 1;
  }
  for (const [serviceId, list] of wantedByService) {
    const counts = aheadCounts.get(serviceId) ?? [];
    let ahead = 0;
    list.forEach((t, i) => {
      ahead += counts[i] ?? 0;
      result.set(t.id, { position: ahead + 1, etaMinutes: null, etaMinutesLow: null, etaMinutesHigh: null });
    });
  }
}

class UnionFind {
  readonly #parent = new Map<string, string>();

  find(x: string): string {
    let root = x;
    for (let p = this.#parent.get(root); p !== undefined && p !== root; p = this.#parent.get(root)) root = p;
    // Path compression keeps later finds O(α).
    for (let cur = x; cur !== root; ) {
      const next = this.#parent.get(cur) ?? root;
      this.#parent.set(cur, root);
      cur = next;
    }
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(ra, rb);
  }
}
