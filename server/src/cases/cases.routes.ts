import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Case, CaseAssignBody, CaseCloseBody, CaseCreate, CaseList, CaseListQuery, CaseReplyBody, CaseResolveBody, CaseRevisitBody,
} from '../contracts/cases.ts';
import { IdParams } from '../contracts/dto.ts';
import { AppError, unwrap } from '../contracts/errors.ts';
import { citizenToken, errorResponses, staffOf } from '../lib/route-helpers.ts';
import { requireStaff } from '../plugins/auth.ts';
import type { CasesService } from './cases.service.ts';

const TokenQuery = Type.Object({ t: Type.Optional(Type.String({ maxLength: 200 })) });
const LookupBody = Type.Object({ number: Type.String({ pattern: '^[A-Z]{2}\\d{12}$' }), phone: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false });

export function casesRoutes(cases: CasesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { rateLimiter, config } = app.deps;
    const supervisor = requireStaff('supervisor');
    const anyStaff = requireStaff('supervisor', 'clerk');

    async function limit(key: string, perHour: number) {
      const d = await rateLimiter.hit(key, perHour, 3600);
      if (!d.allowed) throw new AppError({ code: 'RATE_LIMITED', details: { retryAfterSec: d.retryAfterSec } });
    }

    app.post('/cases', {
      schema: {
        tags: ['cases'], body: CaseCreate, response: { 201: Case, ...errorResponses(400, 401, 403, 404, 429) },
        description: 'File a 办不成事 report, a complaint or a rating by other means. Public; staff at the 办不成事 window file with their bearer token. The response carries the case number, `deadlineAt` and an `accessToken` for following the case.',
      },
    }, async (request, reply) => {
      // Staff at the window file for many citizens; only anonymous filing is limited per address.
      if (!request.staff) await limit(`case:${request.ip}`, config.rateLimit.casesPerHourPerIp);
      return reply.status(201).send(unwrap(await cases.file(request.body, request.staff)));
    });

    app.get('/cases', {
      preValidation: anyStaff,
      schema: { tags: ['cases'], querystring: CaseListQuery, response: { 200: CaseList, ...errorResponses(400, 401, 403, 404) }, description: 'Supervisors: the cases of their sites, most urgent first. Clerks: the cases assigned to them.' },
    }, async (request) =>
      unwrap(await cases.list(request.query, staffOf(request))));

    app.get('/cases/:id', { schema: { tags: ['cases'], params: IdParams, querystring: TokenQuery, response: { 200: Case, ...errorResponses(400, 401, 403, 404) } } }, async (request) =>
      unwrap(await cases.get(request.params.id, { user: request.staff, token: citizenToken(request) })));

    app.post('/cases/lookup', {
      schema: { tags: ['cases'], body: LookupBody, response: { 200: Case, ...errorResponses(400, 404, 429) }, description: 'A citizen without its link finds its case by number and the phone it gave.' },
    }, async (request) => {
      await limit(`caseLookup:${request.ip}`, config.rateLimit.casesPerHourPerIp * 3);
      return unwrap(await cases.lookup(request.body.number, request.body.phone));
    });

    const action = <S extends object>(body: S) => ({ tags: ['cases'], params: IdParams, body, response: { 200: Case, ...errorResponses(400, 401, 403, 404, 409) } });
    app.post('/cases/:id/assign', { preValidation: supervisor, schema: action(CaseAssignBody) }, async (request) =>
      unwrap(await cases.assign(request.params.id, staffOf(request), request.body)));
    app.post('/cases/:id/reply', { preValidation: anyStaff, schema: action(CaseReplyBody) }, async (request) =>
      unwrap(await cases.reply(request.params.id, staffOf(request), request.body.message)));
    app.post('/cases/:id/resolve', { preValidation: anyStaff, schema: action(CaseResolveBody) }, async (request) =>
      unwrap(await cases.resolve(request.params.id, staffOf(request), request.body.resolution)));
    app.post('/cases/:id/close', { preValidation: supervisor, schema: action(CaseCloseBody) }, async (request) =>
      unwrap(await cases.close(request.params.id, staffOf(request), request.body.note)));
    app.post('/cases/:id/revisit', { schema: { ...action(CaseRevisitBody), querystring: TokenQuery, description: 'The citizen (access token) or a supervisor recording a phone revisit accepts or rejects the result; a rejection reopens the case.' } }, async (request) =>
      unwrap(await cases.revisit(request.params.id, { user: request.staff, token: citizenToken(request) }, request.body)));
  };
}
