/**
 * Whether a pushed ticket update may replace the ticket a screen shows (the clerk's console, the citizen's
 * phone). A ticket only moves forward (waiting → called → serving ⇄ suspended → an end; see the state
 * machine in queue/core), but a late `ticket.updated` of an earlier step can arrive after the answer to a
 * request or a later event already showed a newer state: it must not put a no-show back to "called" or a
 * called ticket back to "waiting". Updates of the same step still apply (a recall's new call time, a new
 * position or estimate while waiting, suspend and resume both ways).
 *
 * Pure and free of imports at run time: the citizen app bundles this file on its first screen through its
 * own subpath (`@yichuang/server/contracts/ticket-progress`), without the schemas of the contracts index.
 */
import type { Ticket } from './dto.ts';

const STAGE: Record<Ticket['status'], number> = {
  waiting: 0, called: 1, serving: 2, suspended: 2, done: 3, noShow: 3, cancelled: 3, transferred: 3,
};

export function isNotOlder(incoming: Pick<Ticket, 'status'>, shown: Pick<Ticket, 'status'>): boolean {
  return STAGE[incoming.status] >= STAGE[shown.status];
}
