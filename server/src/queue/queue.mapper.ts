import type { Ticket } from '../contracts/dto.ts';
import { isoInZone } from '../lib/time.ts';
import type { TicketRow } from './queue.repository.ts';

export interface TicketLive {
  position: number | null;
  etaMinutes: number | null;
  etaMinutesLow: number | null;
  etaMinutesHigh: number | null;
}

const NO_LIVE: TicketLive = { position: null, etaMinutes: null, etaMinutesLow: null, etaMinutesHigh: null };

/** The API's Ticket: times in the site's zone, personal data only in masked form. */
export function toTicket(r: TicketRow, timeZone: string, extra: { windowNumber?: number | null; live?: TicketLive; transferredToId?: string } = {}): Ticket {
  const iso = (d: Date | null) => (d ? isoInZone(d.getTime(), timeZone) : null);
  const hasCitizen = r.citizenNameMasked || r.citizenIdMasked || r.citizenPhoneMasked;
  return {
    id: r.id,
    siteId: r.siteId,
    serviceId: r.serviceId,
    number: r.number,
    status: r.status,
    priority: r.priority,
    channel: r.channel,
    issuedAt: isoInZone(r.issuedAt.getTime(), timeZone),
    dueAt: isoInZone(r.dueAt.getTime(), timeZone),
    ...(extra.live ?? NO_LIVE),
    windowId: r.windowId,
    windowNumber: extra.windowNumber ?? null,
    calledAt: iso(r.calledAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    appointmentId: r.appointmentId,
    transferredFromId: r.transferredFromId,
    // Where a transferred ticket went: the citizen's phone follows it there with the same access token.
    ...(extra.transferredToId ? { transferredToId: extra.transferredToId } : {}),
    citizen: hasCitizen ? { name: r.citizenNameMasked, idNumber: r.citizenIdMasked, phone: r.citizenPhoneMasked } : null,
  };
}
