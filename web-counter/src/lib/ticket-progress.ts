/**
 * Whether a pushed ticket update may replace what the console shows. A ticket only moves forward
 * (waiting → called → serving ⇄ suspended → an end), and the answer to a clerk's own request can arrive
 * before the event of an earlier step: such a late event must not put a no-show back to "called".
 */
import type { Ticket } from '@yichuang/server/contracts';

const STAGE: Record<Ticket['status'], number> = {
  waiting: 0, called: 1, serving: 2, suspended: 2, done: 3, noShow: 3, cancelled: 3, transferred: 3,
};

export function isNotOlder(incoming: Pick<Ticket, 'status'>, shown: Pick<Ticket, 'status'>): boolean {
  return STAGE[incoming.status] >= STAGE[shown.status];
}
