import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, desc, eq, gte, isNotNull } from 'drizzle-orm';
import { Type } from 'typebox';
import { BoardView, FinishBody, IdempotencyHeaders, IdParams, QueueView, SiteParams, SuspendBody, Ticket, TicketCreate, TransferBody, Window, WindowParams } from '../contracts/dto.ts';
import { AppError, unwrap } from '../contracts/errors.ts';
import { tickets, windows } from '../db/schema/index.ts';
import { hashToken } from '../lib/secrets.ts';
import { citizenToken, deny, errorResponses, staffOf } from '../lib/route-helpers.ts';
import { maskName } from '../lib/personal-data.ts';
import { isoInZone } from '../lib/time.ts';
import { requireStaff } from '../plugins/auth.ts';
import { toWindow } from '../sites/sites.mapper.ts';
import type { Actor, QueueService } from './queue.service.ts';
import * as repo from './queue.repository.ts';

const TokenQuery = Type.Object({ t: Type.Optional(Type.String({ maxLength: 200 })) });
/** Rationale: a hall display shows about ten recent calls; more would be unreadable from across the room. */
const BOARD_RECENT_CALLS = 10;

export function queueRoutes(queue: QueueService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { db, sites, rateLimiter, config, clock } = app.deps;
    const staffOnly = requireStaff('clerk', 'supervisor');

    /** Who is asking about this ticket: a staff member of its site, or the citizen holding its token. */
    async function actorFor(request: Parameters<typeof citizenToken>[0], ticketId: string): Promise<Actor> {
      const row = await queue.findRow(ticketId);
      if (!row) deny('NOT_FOUND', { resource: 'ticket' });
      if (request.staff) {
        if (!(await sites.canAccess(request.staff, row.siteId))) deny('FORBIDDEN', { reason: 'site' });
        // An expert serves no queue: it sees a ticket only through an assistance session it was asked into.
        if (request.staff.role === 'expert' && !(await queue.expertOnTicket(ticketId, request.staff.id))) deny('FORBIDDEN', { reason: 'not your session' });
        return { kind: 'staff', user: request.staff };
      }
      const token = citizenToken(request);
      if (!token) deny('UNAUTHENTICATED', { reason: 'access token required' });
      if (hashToken(token) !== row.accessTokenHash) deny('FORBIDDEN', { reason: 'not your ticket' });
      return { kind: 'citizen', ticketId };
    }

    app.post('/sites/:siteId/tickets', {
      schema: { tags: ['tickets'], params: SiteParams, headers: IdempotencyHeaders, body: TicketCreate, response: { 201: Ticket, ...errorResponses(400, 404, 409, 429) } },
    }, async (request, reply) => {
      const limit = await rateLimiter.hit(`ticket:${request.ip}`, config.rateLimit.ticketsPerMinPerIp, 60);
      if (!limit.allowed) throw new AppError({ code: 'RATE_LIMITED', details: { retryAfterSec: limit.retryAfterSec } });
      const key = request.headers['idempotency-key'];
      const ticket = unwrap(await queue.issue({ siteId: request.params.siteId, ...request.body, ...(key ? { idempotencyKey: key } : {}) }));
      return reply.status(201).send(ticket);
    });

    app.get('/tickets/:id', { schema: { tags: ['tickets'], params: IdParams, querystring: TokenQuery, response: { 200: Ticket, ...errorResponses(400, 401, 403, 404) } } }, async (request) => {
      const actor = await actorFor(request, request.params.id);
      return unwrap(await queue.get(request.params.id, { citizenJoin: actor.kind === 'citizen' }));
    });

    app.post('/tickets/:id/cancel', { schema: { tags: ['tickets'], params: IdParams, querystring: TokenQuery, response: { 200: Ticket, ...errorResponses(400, 401, 403, 404, 409) } } }, async (request) => {
      const actor = await actorFor(request, request.params.id);
      return unwrap(await queue.cancel(request.params.id, actor));
    });

    const ticketAction = { preValidation: staffOnly, schema: { tags: ['tickets'], params: IdParams, response: { 200: Ticket, ...errorResponses(400, 401, 403, 404, 409) } } };
    app.post('/tickets/:id/recall', ticketAction, async (request) => unwrap(await queue.recall(request.params.id, staffOf(request))));
    app.post('/tickets/:id/start', ticketAction, async (request) => unwrap(await queue.start(request.params.id, staffOf(request))));
    app.post('/tickets/:id/no-show', ticketAction, async (request) => unwrap(await queue.noShow(request.params.id, staffOf(request))));
    app.post('/tickets/:id/resume', ticketAction, async (request) => unwrap(await queue.resume(request.params.id, staffOf(request))));
    app.post('/tickets/:id/finish', { ...ticketAction, schema: { ...ticketAction.schema, body: Type.Optional(FinishBody) } }, async (request) =>
      unwrap(await queue.finish(request.params.id, staffOf(request), request.body ?? {})));
    app.post('/tickets/:id/suspend', { ...ticketAction, schema: { ...ticketAction.schema, body: SuspendBody } }, async (request) =>
      unwrap(await queue.suspend(request.params.id, staffOf(request), request.body)));
    app.post('/tickets/:id/transfer', { ...ticketAction, schema: { ...ticketAction.schema, body: TransferBody, response: { 200: Ticket, ...errorResponses(400, 401, 403, 404, 409) } } }, async (request) =>
      unwrap(await queue.transfer(request.params.id, staffOf(request), request.body)));

    const windowAction = { preValidation: staffOnly, schema: { tags: ['windows'], params: WindowParams, response: { 200: Window, ...errorResponses(400, 401, 403, 404, 409) } } };
    app.post('/windows/:windowId/open', windowAction, async (request) => {
      const row = unwrap(await queue.openWindow(request.params.windowId, staffOf(request)));
      await app.deps.audit.record({ actorId: staffOf(request).id, action: 'window.open', siteId: row.siteId, subject: `window ${row.number}` });
      return toWindow(row, await repo.windowServiceIds(db, row.id));
    });
    app.post('/windows/:windowId/close', windowAction, async (request) => {
      const row = unwrap(await queue.closeWindow(request.params.windowId, staffOf(request)));
      await app.deps.audit.record({ actorId: staffOf(request).id, action: 'window.close', siteId: row.siteId, subject: `window ${row.number}` });
      return toWindow(row, await repo.windowServiceIds(db, row.id));
    });

    app.post('/windows/:windowId/call-next', {
      preValidation: staffOnly,
      schema: { tags: ['windows'], params: WindowParams, response: { 200: Ticket, 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request, reply) => {
      const ticket = unwrap(await queue.callNext(request.params.windowId, staffOf(request)));
      return ticket ? ticket : reply.status(204).send(null);
    });

    app.get('/sites/:siteId/queue', { preValidation: requireStaff('clerk', 'supervisor'), schema: { tags: ['tickets'], params: SiteParams, response: { 200: QueueView, ...errorResponses(400, 401, 403, 404) } } }, async (request) => {
      const { siteId } = request.params;
      const site = await sites.get(siteId);
      if (!site) deny('NOT_FOUND', { resource: 'site' });
      if (!(await sites.canAccess(staffOf(request), siteId))) deny('FORBIDDEN', { reason: 'site' });
      const rows = await db.select().from(tickets).where(and(eq(tickets.siteId, siteId), eq(tickets.status, 'waiting'))).orderBy(tickets.dueAt, tickets.issuedAt, tickets.id);
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.serviceId, (counts.get(r.serviceId) ?? 0) + 1);
      return {
        siteId,
        waiting: rows.map((r) => ({ id: r.id, number: r.number, serviceId: r.serviceId, priority: r.priority, channel: r.channel, issuedAt: isoInZone(r.issuedAt.getTime(), site.timeZone), dueAt: isoInZone(r.dueAt.getTime(), site.timeZone), targetWindowId: r.targetWindowId })),
        byService: [...counts].map(([serviceId, waiting]) => ({ serviceId, waiting })),
      };
    });

    app.get('/sites/:siteId/board', { schema: { tags: ['tickets'], params: SiteParams, response: { 200: BoardView, ...errorResponses(400, 404) } } }, async (request) => {
      const { siteId } = request.params;
      const site = await sites.get(siteId);
      if (!site) deny('NOT_FOUND', { resource: 'site' });
      // Today's calls only: yesterday's numbers would confuse the hall.
      const since = new Date(clock.now() - 16 * 3600_000);
      const recent = await db
        .select({ t: tickets, w: windows })
        .from(tickets)
        .innerJoin(windows, eq(windows.id, tickets.windowId))
        .where(and(eq(tickets.siteId, siteId), isNotNull(tickets.lastCalledAt), gte(tickets.lastCalledAt, since)))
        .orderBy(desc(tickets.lastCalledAt))
        .limit(BOARD_RECENT_CALLS);
      return {
        siteId,
        siteName: site.name,
        now: isoInZone(clock.now(), site.timeZone),
        seq: await app.deps.events.currentSeq(siteId),
        recentCalls: recent.map(({ t, w }) => ({
          ticketId: t.id, number: t.number, windowNumber: w.number, windowName: w.name,
          calledAt: isoInZone((t.lastCalledAt ?? t.issuedAt).getTime(), site.timeZone),
          // Already masked at rest (张*三); the board never sees more.
          citizenName: t.citizenNameMasked ? maskName(t.citizenNameMasked) : null,
        })),
        waiting: await queue.waitingByCategory(siteId),
      };
    });
  };
}
