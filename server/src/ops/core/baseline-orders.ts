/**
 * Calling orders other halls use, to measure ours against (bench/outcomes). Not used to call anyone: the
 * hall calls with `pickNext` (deadline order). Both ignore `dueAt`; the promise is still judged by it.
 */
import { isEligible } from '../../queue/core/calling-order.ts';
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
