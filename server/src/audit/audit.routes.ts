import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IsoTime, SiteParams } from '../contracts/dto.ts';
import { deny, errorResponses, staffOf } from '../lib/route-helpers.ts';
import { requireStaff } from '../plugins/auth.ts';
import type { AuditService } from './audit.service.ts';

const AuditQuery = Type.Object({
  from: Type.Optional(IsoTime),
  to: Type.Optional(IsoTime),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
const AuditRecordSchema = Type.Object({
  at: Type.String(), actorId: Type.Union([Type.String(), Type.Null()]), action: Type.String(),
  siteId: Type.Union([Type.String(), Type.Null()]), subject: Type.Union([Type.String(), Type.Null()]),
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

export function auditRoutes(audit: AuditService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { sites, clock } = app.deps;
    app.get('/sites/:siteId/audit', {
      preValidation: requireStaff('supervisor'),
      schema: { tags: ['ops'], description: 'Staff actions at the site and the sites below it, newest first.', params: SiteParams, querystring: AuditQuery, response: { 200: Type.Array(AuditRecordSchema), ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => {
      const { siteId } = request.params;
      if (!(await sites.get(siteId))) deny('NOT_FOUND', { resource: 'site' });
      if (!(await sites.canAccess(staffOf(request), siteId))) deny('FORBIDDEN', { reason: 'site' });
      const to = request.query.to ? new Date(request.query.to) : new Date(clock.now());
      const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - 24 * 3600_000);
      return audit.list(await sites.descendants(siteId), from, to, request.query.limit ?? 200);
    });
  };
}
