/**
 * Virtual windows (远程虚拟窗口): calling a ticket at a virtual window opens a room between the clerk and the
 * citizen's device. The room belongs to the ticket (`vw-<ticketId>`) and is open exactly while the ticket is
 * called or being served at a virtual window; any other status closes it and refuses its tokens.
 */
import type { JoinInfo, StaffUser, Ticket } from '../contracts/dto.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import * as queueRepo from '../queue/queue.repository.ts';
import type { TicketRow, WindowRow } from '../queue/queue.repository.ts';
import type { VirtualCallRooms } from '../queue/queue.service.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { citizenParticipantId, virtualRoomId } from './core/index.ts';
import type { MediaTokens } from './media-tokens.ts';
import * as repo from './video.repository.ts';

export interface VirtualRoomsDeps {
  db: Db;
  clock: Clock;
  sites: SiteDirectory;
  tokens: MediaTokens;
  closeRoom: (roomId: string) => Promise<void>;
}

interface SiteZone {
  timeZone: string;
  region: string | undefined;
}

const IN_CALL: ReadonlySet<string> = new Set(['called', 'serving']);

export function createVirtualRooms(deps: VirtualRoomsDeps) {
  const { db, sites, tokens } = deps;

  /** The site's zone (for `expiresAt`) and region (the media node both sides of its virtual window use). */
  const zoneOf = async (siteId: string): Promise<SiteZone> => {
    const site = await sites.get(siteId);
    return { timeZone: site?.timeZone ?? 'Asia/Shanghai', region: site?.region };
  };

  async function virtualWindowOf(ticket: Pick<TicketRow, 'windowId'>): Promise<WindowRow | undefined> {
    if (!ticket.windowId) return undefined;
    const w = await queueRepo.findWindow(db, ticket.windowId);
    return w?.kind === 'virtual' ? w : undefined;
  }

  async function inCall(ticket: TicketRow): Promise<WindowRow | undefined> {
    return IN_CALL.has(ticket.status) ? virtualWindowOf(ticket) : undefined;
  }

  function citizenToken(ticket: TicketRow, { timeZone, region }: SiteZone, lostNode?: string): Promise<JoinInfo> {
    return tokens.mint({
      roomId: virtualRoomId(ticket.id), participantId: citizenParticipantId(ticket.id), role: 'citizen',
      // The clerk sees the ticket number and the masked name the ticket already carries, never more.
      displayName: ticket.citizenNameMasked ? `${ticket.number} ${ticket.citizenNameMasked}` : ticket.number,
      sessionRef: `ticket:${ticket.id}`, timeZone, region, lostNode,
    });
  }

  function staffToken(ticket: TicketRow, user: StaffUser, { timeZone, region }: SiteZone, lostNode?: string): Promise<JoinInfo> {
    return tokens.mint({
      roomId: virtualRoomId(ticket.id), participantId: user.id, role: user.role, displayName: user.displayName,
      sessionRef: `ticket:${ticket.id}`, timeZone, region, lostNode,
    });
  }

  const rooms: VirtualCallRooms = {
    async openForCall({ ticket, window, clerk }) {
      const tz = await zoneOf(ticket.siteId);
      await repo.appendEvent(db, {
        roomId: virtualRoomId(ticket.id), ticketId: ticket.id, type: 'opened', actorKind: 'staff', actorId: clerk.id,
        at: new Date(deps.clock.now()), data: { windowId: window.id, windowNumber: window.number, number: ticket.number },
      });
      const [clerkJoin, citizen] = await Promise.all([staffToken(ticket, clerk, tz), citizenToken(ticket, tz)]);
      return { clerk: clerkJoin, citizen };
    },
    async citizenJoin(ticket) {
      if (!(await inCall(ticket))) return undefined;
      return citizenToken(ticket, await zoneOf(ticket.siteId));
    },
  };

  /**
   * `GET /tickets/:id/join`: the citizen (its access token checked by the route), the clerk staffing the
   * ticket's virtual window, or a supervisor of the site. `lostNode`: the media node the caller has just lost.
   */
  async function joinFor(ticketId: string, who: { kind: 'citizen' } | { kind: 'staff'; user: StaffUser }, lostNode?: string): Promise<Result<JoinInfo>> {
    const ticket = await queueRepo.findTicket(db, ticketId);
    if (!ticket) return fail('NOT_FOUND', { resource: 'ticket' });
    const window = await inCall(ticket);
    if (who.kind === 'staff') {
      const { user } = who;
      if (!(await sites.canAccess(user, ticket.siteId))) return fail('FORBIDDEN', { reason: 'site' });
      const overseer = user.role === 'supervisor' || user.role === 'admin';
      if (!overseer && (user.role !== 'clerk' || !window || window.clerkId !== user.id)) return fail('FORBIDDEN', { reason: 'not your window' });
    }
    if (!window) return fail('NO_VIDEO_ROOM', { status: ticket.status });
    const tz = await zoneOf(ticket.siteId);
    return ok(await (who.kind === 'citizen' ? citizenToken(ticket, tz, lostNode) : staffToken(ticket, who.user, tz, lostNode)));
  }

  async function isRoomOpen(ticketId: string): Promise<boolean> {
    const ticket = await queueRepo.findTicket(db, ticketId);
    return ticket !== undefined && (await inCall(ticket)) !== undefined;
  }

  /** Every `ticket.updated` on this node: a ticket that left its call closes the room at once. */
  async function onTicketUpdated(ticket: Ticket): Promise<void> {
    if (IN_CALL.has(ticket.status)) return;
    await deps.closeRoom(virtualRoomId(ticket.id));
  }

  return { rooms, joinFor, isRoomOpen, onTicketUpdated };
}

export type VirtualRooms = ReturnType<typeof createVirtualRooms>;
