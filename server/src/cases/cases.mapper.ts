import type { Case } from '../contracts/cases.ts';
import { isoInZone } from '../lib/time.ts';
import { overdue } from './core/index.ts';
import type { CaseEventRow, CaseRow } from './cases.repository.ts';

export type Viewer = 'staff' | 'citizen';

/** Notes written for the citizen; the rest (assignment notes, timer details) are internal. */
const CITIZEN_NOTES = new Set(['opened', 'replied', 'resolved', 'accepted', 'rejected']);

/** The API's Case: times in the site's zone, contact masked; who did what only for staff. */
export function toCase(r: CaseRow, timeZone: string, now: number, options: { viewer: Viewer; events?: CaseEventRow[]; accessToken?: string }): Case {
  const iso = (d: Date | null) => (d ? isoInZone(d.getTime(), timeZone) : null);
  const staff = options.viewer === 'staff';
  const out: Case = {
    id: r.id,
    number: r.number,
    siteId: r.siteId,
    kind: r.kind,
    status: r.status,
    complex: r.complex,
    source: r.source,
    description: r.description,
    serviceId: r.serviceId,
    ticketId: r.ticketId,
    ratingId: r.ratingId,
    contact: { name: r.contactNameMasked, phone: r.contactPhoneMasked },
    assigneeId: staff ? r.assigneeId : null,
    openedAt: isoInZone(r.openedAt.getTime(), timeZone),
    replyDueAt: isoInZone(r.replyDueAt.getTime(), timeZone),
    deadlineAt: isoInZone(r.deadlineAt.getTime(), timeZone),
    firstRepliedAt: iso(r.firstRepliedAt),
    reply: r.lastReply,
    resolvedAt: iso(r.resolvedAt),
    resolution: r.resolution,
    revisitedAt: iso(r.revisitedAt),
    revisitOutcome: r.revisitOutcome,
    closedAt: iso(r.closedAt),
    overdue: overdue({ status: r.status, deadlineAt: r.deadlineAt.getTime(), resolvedAt: r.resolvedAt?.getTime() ?? null }, now),
  };
  if (options.events) {
    out.events = options.events.map((e) => ({
      type: e.type,
      fromStatus: (e.fromStatus as Case['status'] | null) ?? null,
      toStatus: e.toStatus as Case['status'],
      actorKind: e.actorKind,
      actorId: staff ? e.actorId : null,
      at: isoInZone(e.at.getTime(), timeZone),
      note: staff || CITIZEN_NOTES.has(e.type) ? e.note : null,
    }));
  }
  if (options.accessToken) out.accessToken = options.accessToken;
  return out;
}
