/** The minimum a ticket needs to be ordered for calling. */
export interface QueuedTicket {
  id: string;
  serviceId: string;
  dueAt: number;
  issuedAt: number;
  /** Set when the ticket may only be called by one window (a transfer to a named window, a video check-in). */
  targetWindowId?: string | null;
}

export interface CallingWindow {
  id: string;
  serviceIds: readonly string[];
}

/**
 * Earliest `dueAt` first (EDF); ties by earlier `issuedAt`, then by `id` so the order is total and the same
 * on every node. Ids compare by code unit, not locale, for the same reason.
 */
export function compareForCalling(a: QueuedTicket, b: QueuedTicket): number {
  if (a.dueAt !== b.dueAt) return a.dueAt - b.dueAt;
  if (a.issuedAt !== b.issuedAt) return a.issuedAt - b.issuedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The window serves the ticket's service, and the ticket is not reserved for another window. */
export function isEligible(t: QueuedTicket, w: CallingWindow): boolean {
  if (t.targetWindowId != null && t.targetWindowId !== w.id) return false;
  return w.serviceIds.includes(t.serviceId);
}

/** The ticket window `w` calls next: the eligible one first in `compareForCalling` order. O(n·s). */
export function pickNext<T extends QueuedTicket>(waiting: readonly T[], w: CallingWindow): T | undefined {
  let best: T | undefined;
  for (const t of waiting) {
    if (isEligible(t, w) && (best === undefined || compareForCalling(t, best) < 0)) best = t;
  }
  return best;
}
