/**
 * Real-time contract of the `/hall` namespace (API.md "Real-time events"). Every server event carries a
 * per-site `seq`: a client that sees a gap resynchronises over HTTP.
 */
import { Type, type Static } from 'typebox';
import { Id, type Ticket } from './dto.ts';

/**
 * `countsInCalls`: this watcher reads the waiting counts from `ticket.called` too, so it is not sent the
 * `queue.changed` that would only repeat them (one frame per call instead of two on every board).
 */
export const SiteWatchPayload = Type.Object({ siteId: Id, countsInCalls: Type.Optional(Type.Boolean()) });
export const TicketWatchPayload = Type.Object({ ticketId: Id, accessToken: Type.String({ minLength: 10, maxLength: 200 }) });
export const WindowAttachPayload = Type.Object({ windowId: Id });

export type Ack<T> = (response: { data: T } | { error: { code: string; message: string } }) => void;

export interface HallClientToServer {
  /** Boards and dashboards: public events of one site. Staff of the site also get `sla.atRisk`. */
  'site:watch': (payload: Static<typeof SiteWatchPayload>, ack?: Ack<{ siteId: string; seq: number }>) => void;
  /** A citizen's phone follows its own ticket. */
  'ticket:watch': (payload: Static<typeof TicketWatchPayload>, ack?: Ack<{ ticketId: string }>) => void;
  /** A clerk's console follows its window (bearer token in the handshake `auth.token`). */
  'window:attach': (payload: Static<typeof WindowAttachPayload>, ack?: Ack<{ windowId: string }>) => void;
}

/** A ticket was called (or recalled) to a window: boards announce it. No personal data. */
export interface TicketCalledEvent {
  seq: number;
  ticketId: string;
  number: string;
  windowId: string;
  windowNumber: number;
  siteId: string;
  calledAt: string;
  recall: boolean;
  /** Waiting tickets per category just after the call, as in `queue.changed`. */
  waiting: Record<string, number>;
}
export interface TicketUpdatedEvent {
  seq: number;
  ticket: Ticket;
}
export interface QueueChangedEvent {
  seq: number;
  siteId: string;
  /** Waiting tickets per category (the number prefix). */
  waiting: Record<string, number>;
}
export interface SlaAtRiskEvent {
  seq: number;
  siteId: string;
  ticketId: string;
  number: string;
  dueAt: string;
}

/** A case (办不成事, a bad rating, a complaint) nears or has passed a deadline: for the site's staff. */
export interface CaseDeadlineEvent {
  seq: number;
  siteId: string;
  caseId: string;
  /** The case number, e.g. BC202611230007: no personal data. */
  number: string;
  /** Which deadline: the first reply, or the resolution. */
  stage: 'reply' | 'resolve';
  /** `warned`: the deadline is near; `escalated`: it passed and the case went up a level. */
  type: 'warned' | 'escalated';
  dueAt: string;
}

export interface HallServerToClient {
  'ticket.called': (e: TicketCalledEvent) => void;
  'ticket.updated': (e: TicketUpdatedEvent) => void;
  'queue.changed': (e: QueueChangedEvent) => void;
  'sla.atRisk': (e: SlaAtRiskEvent) => void;
  'case.deadline': (e: CaseDeadlineEvent) => void;
  /** Assistance requests ringing for an expert (video module). */
  'assist.ringing': (e: { seq: number; session: unknown }) => void;
  'assist.updated': (e: { seq: number; session: unknown }) => void;
  /** The server is shutting down: reconnect (another node will answer). */
  'server.restarting': (e: { reconnectInMs: number }) => void;
}

/** Socket.io room names: one place so emitters and joiners agree. */
export const hallRooms = {
  site: (siteId: string) => `site:${siteId}`,
  /** Site watchers that did not ask for `countsInCalls`: they get every `queue.changed`. */
  siteEveryCount: (siteId: string) => `site-every-count:${siteId}`,
  siteStaff: (siteId: string) => `site-staff:${siteId}`,
  ticket: (ticketId: string) => `ticket:${ticketId}`,
  window: (windowId: string) => `window:${windowId}`,
  staff: (staffId: string) => `staff:${staffId}`,
  /** Every socket signed in with one staff session (by the token's hash): signing out drops them all. */
  session: (tokenHash: string) => `session:${tokenHash}`,
} as const;
