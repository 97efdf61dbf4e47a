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
  /** Pessimistic minutes (≈ 90th percentile), ≥ `etaMinutes`; `null` when `etaMinutes` is. */
  etaMinutesHigh: number | null;
}

/**
 * Rationale: the time until the k-th of a run of service completions has a coefficient of variation of about
 * CV/√k (renewal theory: the sum of k handling times), so the high estimate is `eta · (1 + z·CV/√k)` with
 * k = position. z = 1.2816 is the standard normal's 90th percentile; CV = 1 is exponential handling times,
 * the cautious end of hall data (lognormal handling with CV 0.6–1). Position 1 behind busy windows gets
 * ≈ 2.3× the likely wait; position 100 gets +13%.
 */
const HIGH_Z = 1.2816;
const HANDLE_CV = 1;

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
  const { now, windows } = input;
  const result = new Map<string, EtaResult>();

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
    const waitMs = Math.round(slot.at - now);
    const eta = Math.ceil(waitMs / MINUTE_MS);
    const high = Math.max(eta, Math.ceil((waitMs * (1 + (HIGH_Z * HANDLE_CV) / Math.sqrt(position))) / MINUTE_MS));
    result.set(best.id, { position, etaMinutes: eta, etaMinutesHigh: high });
    const handleMin = input.meanHandleMin.get(best.serviceId) ?? input.fallbackHandleMin;
    free.push({ at: slot.at + handleMin * MINUTE_MS, index: slot.index });
  }

  rankUnserved(input.waiting, result);
  return result;
}

function runOf(map: Map<string, TicketRun<QueuedTicket>>, key: string): TicketRun<QueuedTicket> {
  let run = map.get(key);
  if (!run) {
    run = { items: [], head: 0 };
    map.set(key, run);
  }
  return run;
}

/** Tickets the play never called: no open window may serve them. Rank them within their service. */
function rankUnserved(waiting: readonly QueuedTicket[], result: Map<string, EtaResult>): void {
  const unservedServices = new Set<string>();
  for (const t of waiting) if (!result.has(t.id)) unservedServices.add(t.serviceId);
  if (unservedServices.size === 0) return;
  const sameService = new Map<string, QueuedTicket[]>();
  for (const t of waiting) {
    if (!unservedServices.has(t.serviceId)) continue;
    const list = sameService.get(t.serviceId) ?? [];
    list.push(t);
    sameService.set(t.serviceId, list);
  }
  for (const list of sameService.values()) {
    list.sort(compareForCalling);
    list.forEach((t, i) => {
      if (!result.has(t.id)) result.set(t.id, { position: i + 1, etaMinutes: null, etaMinutesHigh: null });
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
