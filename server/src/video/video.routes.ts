import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, JoinInfo } from '../contracts/dto.ts';
import { unwrap } from '../contracts/errors.ts';
import { AssistInviteBody, AssistListQuery, AssistSession, AssistSessionCreate, JoinRenewQuery, PresenceBody, PresenceView, TicketJoinQuery, VideoEvent } from '../contracts/video.ts';
import { hashToken } from '../lib/secrets.ts';
import { citizenToken, deny, errorResponses, staffOf } from '../lib/route-helpers.ts';
import { requireStaff } from '../plugins/auth.ts';
import * as queueRepo from '../queue/queue.repository.ts';
import type { AssistService } from './assist.service.ts';
import type { VirtualRooms } from './virtual-rooms.ts';

export function videoRoutes(assist: AssistService, virtual: VirtualRooms): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['video'];
    const anyStaff = requireStaff('clerk', 'supervisor', 'expert');

    app.post('/assist-sessions', {
      preValidation: requireStaff('clerk', 'supervisor'),
      schema: { tags, body: AssistSessionCreate, response: { 201: AssistSession, ...errorResponses(400, 401, 403, 404) } },
    }, async (request, reply) => reply.status(201).send(unwrap(await assist.request(staffOf(request), request.body))));

    app.get('/assist-sessions', {
      preValidation: anyStaff,
      schema: { tags, querystring: AssistListQuery, response: { 200: Type.Array(AssistSession), ...errorResponses(400, 401) } },
    }, async (request) => assist.list(staffOf(request), request.query));

    app.get('/assist-sessions/:id', {
      preValidation: anyStaff,
      schema: { tags, params: IdParams, response: { 200: AssistSession, ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => unwrap(await assist.get(request.params.id, staffOf(request))));

    app.get('/assist-sessions/:id/events', {
      preValidation: anyStaff,
      schema: { tags, params: IdParams, response: { 200: Type.Array(VideoEvent), ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => unwrap(await assist.eventLog(request.params.id, staffOf(request))));

    app.post('/assist-sessions/:id/accept', {
      preValidation: requireStaff('expert'),
      schema: { tags, params: IdParams, response: { 200: AssistSession, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => unwrap(await assist.accept(request.params.id, staffOf(request))));

    app.post('/assist-sessions/:id/end', {
      preValidation: anyStaff,
      schema: { tags, params: IdParams, response: { 200: AssistSession, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => unwrap(await assist.end(request.params.id, staffOf(request))));

    app.post('/assist-sessions/:id/invite', {
      preValidation: anyStaff,
      schema: { tags, params: IdParams, body: AssistInviteBody, response: { 200: AssistSession, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => unwrap(await assist.invite(request.params.id, staffOf(request), request.body.staffId)));

    app.post('/assist-sessions/:id/token', {
      preValidation: anyStaff,
      schema: { tags, params: IdParams, querystring: JoinRenewQuery, response: { 200: JoinInfo, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => unwrap(await assist.token(request.params.id, staffOf(request), request.query.lostNode)));

    app.post('/experts/me/presence', {
      preValidation: requireStaff('expert'),
      schema: { tags, body: PresenceBody, response: { 200: PresenceView, ...errorResponses(400, 401, 403) } },
    }, async (request) => unwrap(await assist.setPresence(staffOf(request), request.body.online)));

    // A virtual window's call: the citizen (ticket access token) or the clerk staffing the window gets a fresh
    // join token while the ticket is called or being served; GET /tickets/:id carries the citizen's too.
    app.get('/tickets/:id/join', {
      schema: { tags, params: IdParams, querystring: TicketJoinQuery, response: { 200: JoinInfo, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => {
      const { lostNode } = request.query;
      if (request.staff) return unwrap(await virtual.joinFor(request.params.id, { kind: 'staff', user: request.staff }, lostNode));
      const token = citizenToken(request);
      if (!token) deny('UNAUTHENTICATED', { reason: 'access token required' });
      const ticket = await queueRepo.findTicket(app.deps.db, request.params.id);
      if (!ticket) deny('NOT_FOUND', { resource: 'ticket' });
      if (hashToken(token) !== ticket.accessTokenHash) deny('FORBIDDEN', { reason: 'not your ticket' });
      return unwrap(await virtual.joinFor(ticket.id, { kind: 'citizen' }, lostNode));
    });
  };
}
