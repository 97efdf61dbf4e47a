/**
 * The `/hall` namespace: boards watch a site, phones watch their ticket, clerks attach to their window.
 * Every inbound payload passes a compiled schema check; staff are known by the handshake's bearer token.
 */
import type { FastifyInstance } from 'fastify';
import { hallRooms, SiteWatchPayload, TicketWatchPayload, WindowAttachPayload } from '../contracts/events.ts';
import type { StaffUser } from '../contracts/dto.ts';
import { hashToken } from '../lib/secrets.ts';
import { ackError, answering, payloadChecker } from '../lib/socket-ack.ts';
import { isDatabaseUnavailable } from '../db/pg-errors.ts';
import type { HallNamespace } from '../events/hall-events.ts';
import * as repo from './queue.repository.ts';
import { createSiteCache } from './site-cache.ts';

interface HallSocketData {
  staff: StaffUser | null;
  /** When the staff session ends (epoch ms): the connection ends with it. */
  sessionExpiresAt?: number;
}

/** Rationale: the same bound as a revoked token on another node (the auth token cache): within 5 seconds. */
const EXPIRY_SWEEP_MS = 5_000;

const checkSite = payloadChecker(SiteWatchPayload);
const checkTicket = payloadChecker(TicketWatchPayload);
const checkWindow = payloadChecker(WindowAttachPayload);

export function attachHallSocket(app: FastifyInstance): void {
  const { auth, sites, db, events, database, clock } = app.deps;
  const hall = app.io.of('/hall') as HallNamespace;
  // Repeated watches (a board reconnecting, a flood within the socket budget) share one read of the site's
  // sequence; an event this node publishes forgets it, so a watcher here never gets a number behind it.
  // Rationale: 100 ms: watches that close together are the same question; an event from another node is
  // at most that late in the answer, which a client treats as a gap and refetches.
  const seqs = createSiteCache((siteId) => events.currentSeq(siteId), { maxAgeMs: 100, now: () => performance.now() });
  events.onLocal((_name, payload) => {
    const p = payload as { siteId?: unknown; ticket?: { siteId?: unknown } } | null;
    const siteId = p?.siteId ?? p?.ticket?.siteId;
    if (typeof siteId === 'string') seqs.forget(siteId);
  });

  hall.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const data = socket.data as HallSocketData;
    data.staff = null;
    if (typeof token === 'string' && token) {
      try {
        const session = await auth.session(token);
        data.staff = session?.user ?? null;
        if (session) data.sessionExpiresAt = session.expiresAt;
      } catch (err) {
        // Not the clerk's fault: a console told UNAUTHENTICATED would sign out. UNAVAILABLE says try again.
        const code = isDatabaseUnavailable(err) ? 'UNAVAILABLE' : 'INTERNAL';
        // An outage is logged once by the database watch, not once per console reconnecting through it.
        if (code === 'UNAVAILABLE') database.watch.refused(err);
        app.log[code === 'UNAVAILABLE' ? 'debug' : 'error']({ err }, '/hall handshake could not check the staff token');
        return next(Object.assign(new Error(code), { data: { code } }));
      }
      if (!data.staff) return next(new Error('UNAUTHENTICATED'));
    }
    next();
  });

  // A staff socket lasts no longer than its session: each node drops its own once the token has expired.
  const sweep = setInterval(() => {
    const now = clock.now();
    for (const socket of hall.sockets.values()) {
      const expiresAt = (socket.data as HallSocketData).sessionExpiresAt;
      if (expiresAt !== undefined && expiresAt <= now) socket.disconnect(true);
    }
  }, EXPIRY_SWEEP_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  hall.on('connection', (socket) => {
    const data = socket.data as HallSocketData;
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    // Rooms to drop a session's sockets (sign-out) or an account's (password changed or reset) on every node.
    if (data.staff && typeof token === 'string') void socket.join([hallRooms.session(hashToken(token)), hallRooms.staff(data.staff.id)]);

    socket.on('site:watch', answering(app.log, 'site:watch', async (payload, ack) => {
      const bad = checkSite(payload);
      if (bad) return ackError(ack, bad);
      const site = await sites.get(payload.siteId);
      if (!site) return ackError(ack, { code: 'NOT_FOUND', details: { resource: 'site' } });
      await socket.join(payload.countsInCalls ? hallRooms.site(site.id) : [hallRooms.site(site.id), hallRooms.siteEveryCount(site.id)]);
      // Experts read only the tickets of sessions they were asked into (over HTTP too): not every ticket event of the site.
      if (data.staff && data.staff.role !== 'expert' && (await sites.canAccess(data.staff, site.id))) await socket.join(hallRooms.siteStaff(site.id));
      ack?.({ data: { siteId: site.id, seq: await seqs.get(site.id) } });
    }, database.watch.refused));

    socket.on('ticket:watch', answering(app.log, 'ticket:watch', async (payload, ack) => {
      const bad = checkTicket(payload);
      if (bad) return ackError(ack, bad);
      const row = await repo.findTicket(db, payload.ticketId);
      if (!row) return ackError(ack, { code: 'NOT_FOUND', details: { resource: 'ticket' } });
      if (hashToken(payload.accessToken) !== row.accessTokenHash) return ackError(ack, { code: 'FORBIDDEN', details: { reason: 'not your ticket' } });
      await socket.join(hallRooms.ticket(row.id));
      ack?.({ data: { ticketId: row.id } });
    }, database.watch.refused));

    socket.on('window:attach', answering(app.log, 'window:attach', async (payload, ack) => {
      const bad = checkWindow(payload);
      if (bad) return ackError(ack, bad);
      if (!data.staff) return ackError(ack, { code: 'UNAUTHENTICATED' });
      const w = await repo.findWindow(db, payload.windowId);
      if (!w) return ackError(ack, { code: 'NOT_FOUND', details: { resource: 'window' } });
      if (!(await sites.canAccess(data.staff, w.siteId)) || data.staff.role === 'expert') return ackError(ack, { code: 'FORBIDDEN', details: { reason: 'site' } });
      await socket.join([hallRooms.window(w.id), hallRooms.siteStaff(w.siteId), hallRooms.staff(data.staff.id)]);
      ack?.({ data: { windowId: w.id } });
    }, database.watch.refused));
  });
}
