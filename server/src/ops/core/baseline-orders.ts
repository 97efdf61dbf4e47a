/**
 * Calling orders other halls use, and our own earlier and tried rules, to measure ours against
 * (bench/outcomes). Not used to call anyone: the hall calls with `pickNext` (deadline order) on `dueAt` from
 * `computeDueAt` with DEFAULT_POLICY. The FIFO orders ignore `dueAt`; the promise is still judged by it.
 */
import { isEligible } from '../../queue/core/calling-order.ts';
import { DEFAULT_POLICY, MINUTE_MS, type QueuePolicy } from '../../queue/core/types.ts';
import type { CallOrder, SimTicket } from './simulator.ts';

const earlier = (a: SimTicket, b: SimTicket): boolean =>
  a.arrivalAt !== b.arrivalAt ? a.arrivalAt < b.arrivalAt : a.id < b.id;

/** Plain first come, first served: the earliest arrival (check-in, for appointments) the window may serve. */
export const fifoOrder: CallOrder = (waiting, w) => {
  let best: SimTicket | undefined;
  for (const t of waiting) if (isEligible(t, w) && (best === undefined || earlier(t, best))) best = t;
  return best;
};

/** Priority groups (elderly, disabled, …) first, each group first come, first served (Qmatic-style rules). */
export const fifoPriorityOrder: CallOrder = (waiting, w) => {
  let best: SimTicket | undefined;
  for (const t of waiting) {
    if (!isEligible(t, w)) continue;
    if (best === undefined) best = t;
    else if ((t.priority !== 'normal') !== (best.priority !== 'normal')) {
      if (t.priority !== 'normal') best = t;
    } else if (earlier(t, best)) best = t;
  }
  return best;
};

/**
 * Deadline order as in round 1 (issue #17's first measurement): priority groups due a flat 10 minutes
 * earlier instead of within a third of their target. A policy, not an order: it changes `dueAt`.
 */
export const ROUND_1_POLICY: QueuePolicy = Object.freeze({ ...DEFAULT_POLICY, priorityTargetShare: 1, priorityAdvanceMin: 10 });

/** Deadline order on `key` (ties: issue time, then id, as `compareForCalling`). */
const lowestKey = (key: (t: SimTicket, now: number) => number): CallOrder => (waiting, w, now) => {
  let best: SimTicket | undefined;
  let bestKey = 0;
  for (const t of waiting) {
    if (!isEligible(t, w)) continue;
    const k = key(t, now);
    if (best === undefined || k < bestKey || (k === bestKey && (t.issuedAt < best.issuedAt || (t.issuedAt === best.issuedAt && t.id < best.id)))) {
      best = t;
      bestKey = k;
    }
  }
  return best;
};

/**
 * Tried, not adopted: once tickets are overdue, the one that has waited longest first (lateness shared
 * rather than concentrated on whoever was due first); the rest by deadline. Overdue tickets first in order
 * of their wait anchor: the key is the anchor − a day, below every deadline.
 */
export const overdueByWaitOrder: CallOrder = lowestKey((t, now) => (t.dueAt <= now ? t.anchorAt - 24 * 60 * MINUTE_MS : t.dueAt));

/**
 * Tried, not adopted: deadline order with every target capped at 30 minutes for ordering (a complex
 * walk-in's 60 counts as 30), so complex walk-ins stop carrying the walk-in tail; still judged by 60.
 */
export const cappedDeadlineOrder: CallOrder = lowestKey((t) => t.anchorAt + Math.min(t.dueAt - t.anchorAt, 30 * MINUTE_MS));
