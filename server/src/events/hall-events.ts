/**
 * Publishes the `/hall` contract's events. Socket.io rooms carry them (through the Redis Streams adapter
 * when several nodes run), and each public site event takes the next per-site `seq` from Postgres, so
 * every node numbers one site's stream the same way and a client can detect a gap.
 *
 * `ticket.updated` and `sla.atRisk` go to narrower audiences (a ticket's watchers, the site's staff); they
 * carry the site's current seq without taking a new one, so boards never see gaps they could not fill.
 */
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Namespace } from 'socket.io';
import { hallRooms, type CaseDeadlineEvent, type HallClientToServer, type HallServerToClient, type TicketCalledEvent } from '../contracts/events.ts';
import type { Ticket } from '../contracts/dto.ts';
import type { Db } from '../db/client.ts';

export type HallNamespace = Namespace<HallClientToServer, HallServerToClient>;

export interface HallEvents {
  /** Resolves to the seq the call took. `waiting`: the site's counts, read beside the seq. */
  ticketCalled(e: Omit<TicketCalledEvent, 'seq' | 'waiting'>, waiting: () => Promise<Record<string, number>>): Promise<number>;
  /**
   * `citizenJoin`: the citizen's own video join token, sent only to the ticket's watchers (its phone), never
   * to staff rooms: whoever holds it could enter the call as the citizen. `seq`: the site's seq when the
   * caller has just taken it (a call), saving a read.
   */
  ticketUpdated(ticket: Ticket, options?: { citizenJoin?: Ticket['join']; seq?: number }): Promise<void>;
  queueChanged(siteId: string, waiting: Record<string, number>): Promise<void>;
  /** `seq`: the site's current seq when the caller already read it (a sweep warning about many tickets). */
  slaAtRisk(e: { siteId: string; ticketId: string; number: string; dueAt: string }, seq?: number): Promise<void>;
  /** Tells the site's staff a case deadline is near or passed (the supervisors' dashboard lists it). */
  caseDeadline(e: Omit<CaseDeadlineEvent, 'seq'>): Promise<void>;
  currentSeq(siteId: string): Promise<number>;
  /**
   * Runs `publish` after the caller's commit without holding up its response. One site's publications run
   * one after another, so its events keep the order of its commits on this node.
   */
  afterCommit(siteId: string, publish: () => Promise<void>): void;
  /**
   * A `queue.changed` for the site soon: bursts of changes within the coalescing window send one event
   * with the latest counts, so a rush at the kiosks does not flood every board.
   */
  queueChangedSoon(siteId: string, counts: () => Promise<Record<string, number>>): void;
  /** Resolves when everything queued by afterCommit/queueChangedSoon so far has been published. */
  flush(): Promise<void>;
  /** Listeners inside this node (jobs, metrics). */
  onLocal(listener: (name: keyof HallServerToClient, payload: unknown) => void): void;
}

/** The same counts always give the same key, whatever order the categories were read in. */
function countsKey(waiting: Record<string, number>): string {
  return JSON.stringify(Object.entries(waiting).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Rationale: boards redraw at most a few times a second; 250 ms keeps counts live without a storm. */
const QUEUE_CHANGED_COALESCE_MS = 250;

/**
 * The cluster-wide claim of `claimQueueChanged` in Redis: the first node to set the site's key for the
 * window sends; the others learn how long it has left. Redis away: every node sends (as without Redis).
 */
export function redisWindowClaim(redis: Redis, keyPrefix: string): (siteId: string, windowMs: number) => Promise<number> {
  return async (siteId, windowMs) => {
    if (redis.status !== 'ready') return 0;
    const key = `${keyPrefix}:${siteId}`;
    if ((await redis.set(key, '1', 'PX', windowMs, 'NX')) === 'OK') return 0;
    // The holder's window can end between SET and PTTL (-2: gone, 0: ending): that is no claim of ours, so
    // try again in a moment. Sending then, unclaimed, let two nodes send at one window's edge.
    const left = await redis.pttl(key);
    return left > 0 ? left : 1;
  };
}

export interface HallEventsDeps {
  db: Db;
  hall: () => HallNamespace | null;
  sharedBusUp: () => boolean;
  onError: (err: unknown) => void;
  /**
   * With several nodes: claims the site's coalescing window for the whole cluster. Resolves to 0 when this
   * node got it (it sends), else to the milliseconds until it may try again. Without it each node coalesces
   * on its own: with two nodes issuing, boards received two `queue.changed` per window instead of one, and a
   * node's frames to its sockets are most of its CPU under a fan-out (bench/RESULTS.md, profiles).
   */
  claimQueueChanged?: (siteId: string, windowMs: number) => Promise<number>;
}

export function createHallEvents(deps: HallEventsDeps): HallEvents {
  /**
   * The socket.io Redis adapter drops a broadcast it cannot publish, local clients included. While Redis is
   * down, this node's clients still hear this node's events (`local`); other nodes' clients see a seq gap
   * when Redis returns and resynchronise.
   */
  const to = (rooms: string | string[]) => {
    const hall = deps.hall();
    if (!hall) return null;
    return deps.sharedBusUp() ? hall.to(rooms) : hall.local.to(rooms);
  };
  const listeners: ((name: keyof HallServerToClient, payload: unknown) => void)[] = [];
  const chains = new Map<string, Promise<void>>();
  const pendingCounts = new Map<string, () => Promise<Record<string, number>>>();
  /** Per site, the last counts this node sent to all its watchers and the seq they went out with. */
  const countsSent = new Map<string, { seq: number; key: string }>();

  async function nextSeq(siteId: string, n = 1): Promise<number> {
    const result = (await deps.db.execute(sql`
      INSERT INTO site_event_seq (site_id, seq) VALUES (${siteId}, ${n})
      ON CONFLICT (site_id) DO UPDATE SET seq = site_event_seq.seq + ${n}
      RETURNING seq`)) as { rows: { seq: string | number }[] };
    return Number(result.rows[0]?.seq ?? 0);
  }

  async function currentSeq(siteId: string): Promise<number> {
    const result = (await deps.db.execute(sql`SELECT seq FROM site_event_seq WHERE site_id = ${siteId}`)) as { rows: { seq: string | number }[] };
    return Number(result.rows[0]?.seq ?? 0);
  }

  function local(name: keyof HallServerToClient, payload: unknown) {
    for (const l of listeners) l(name, payload);
  }

  return {
    async ticketCalled(e, counts) {
      const [seq, waiting] = await Promise.all([nextSeq(e.siteId), counts()]);
      const payload = { ...e, seq, waiting };
      to([hallRooms.site(e.siteId), hallRooms.ticket(e.ticketId)])?.emit('ticket.called', payload);
      countsSent.set(e.siteId, { seq, key: countsKey(waiting) });
      local('ticket.called', payload);
      return payload.seq;
    },
    async ticketUpdated(ticket, options = {}) {
      const seq = options.seq ?? (await currentSeq(ticket.siteId));
      const { join: _never, ...staffView } = ticket;
      const staffRooms = [hallRooms.siteStaff(ticket.siteId), ...(ticket.windowId ? [hallRooms.window(ticket.windowId)] : [])];
      const citizenPayload = { seq, ticket: options.citizenJoin ? { ...staffView, join: options.citizenJoin } : staffView };
      // A staff socket may also watch the ticket; `except` keeps the citizen's version from reaching it.
      to(hallRooms.ticket(ticket.id))?.except(staffRooms).emit('ticket.updated', citizenPayload);
      to(staffRooms)?.emit('ticket.updated', { seq, ticket: staffView });
      local('ticket.updated', { seq, ticket: staffView });
    },
    async queueChanged(siteId, waiting) {
      const key = countsKey(waiting);
      const sent = countsSent.get(siteId);
      // Nothing new since this node's last event, which carried these counts (a call, usually): only the
      // watchers that do not read counts from calls need them. They get that event's seq (no gap for
      // anyone), and the site's stream stays the same for the rest. Another node's event since: send.
      if (sent?.key === key && (await currentSeq(siteId)) === sent.seq) {
        to(hallRooms.siteEveryCount(siteId))?.emit('queue.changed', { seq: sent.seq, siteId, waiting });
        return;
      }
      const payload = { seq: await nextSeq(siteId), siteId, waiting };
      to([hallRooms.site(siteId), hallRooms.siteEveryCount(siteId)])?.emit('queue.changed', payload);
      countsSent.set(siteId, { seq: payload.seq, key });
      local('queue.changed', payload);
    },
    async slaAtRisk(e, seq) {
      const payload = { ...e, seq: seq ?? (await currentSeq(e.siteId)) };
      to(hallRooms.siteStaff(e.siteId))?.emit('sla.atRisk', payload);
      local('sla.atRisk', payload);
    },
    async caseDeadline(e) {
      const payload = { ...e, seq: await currentSeq(e.siteId) };
      to(hallRooms.siteStaff(e.siteId))?.emit('case.deadline', payload);
      local('case.deadline', payload);
    },
    currentSeq,
    afterCommit(siteId, publish) {
      const next = (chains.get(siteId) ?? Promise.resolve()).then(publish).catch(deps.onError);
      chains.set(siteId, next);
      void next.then(() => {
        if (chains.get(siteId) === next) chains.delete(siteId);
      });
    },
    queueChangedSoon(siteId, counts) {
      const alreadyPending = pendingCounts.has(siteId);
      pendingCounts.set(siteId, counts);
      if (alreadyPending) return;
      const fire = async () => {
        // Another node sent within the window: send later (the counts are read then, so none is lost).
        const wait = deps.claimQueueChanged ? await deps.claimQueueChanged(siteId, QUEUE_CHANGED_COALESCE_MS).catch(() => 0) : 0;
        if (wait > 0) {
          setTimeout(() => void fire(), wait).unref();
          return;
        }
        const latest = pendingCounts.get(siteId);
        pendingCounts.delete(siteId);
        if (latest) this.afterCommit(siteId, async () => this.queueChanged(siteId, await latest()));
      };
      setTimeout(() => void fire(), QUEUE_CHANGED_COALESCE_MS).unref();
    },
    async flush() {
      while (pendingCounts.size > 0 || chains.size > 0) {
        if (pendingCounts.size > 0) await new Promise((r) => setTimeout(r, QUEUE_CHANGED_COALESCE_MS));
        await Promise.all([...chains.values()]);
      }
    },
    onLocal(listener) {
      listeners.push(listener);
    },
  };
}
