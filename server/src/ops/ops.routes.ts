import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SiteParams } from '../contracts/dto.ts';
import { unwrap } from '../contracts/errors.ts';
import { StaffingPlanQuery, StaffingPlanView, StatsQuery, StatsView } from '../contracts/ops.ts';
import { errorResponses, staffOf } from '../lib/route-helpers.ts';
import { requireStaff } from '../plugins/auth.ts';
import type { OpsService } from './ops.service.ts';

export function opsRoutes(ops: OpsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const supervisor = requireStaff('supervisor');

    app.get('/sites/:siteId/stats', {
      preValidation: supervisor,
      schema: {
        tags: ['operations'], params: SiteParams, querystring: StatsQuery, response: { 200: StatsView, ...errorResponses(400, 401, 403, 404) },
        description: 'Service statistics for local dates [from, to] (default today), rolled up the site tree with includeChildren. waitSlaMet = share called (first call) by dueAt among tickets whose target was put to the test; handleSlaMet = share of done tickets handled within the item\'s targetHandleMin.',
      },
    }, async (request) => unwrap(await ops.stats(request.params.siteId, request.query, staffOf(request))));

    app.get('/sites/:siteId/staffing-plan', {
      preValidation: supervisor,
      schema: {
        tags: ['operations'], params: SiteParams, querystring: StaffingPlanQuery, response: { 200: StaffingPlanView, ...errorResponses(400, 401, 403, 404) },
        description: 'For each opening hour of `date`, the fewest windows so that at least `serviceLevel` of tickets are called within their wait target: Erlang C per hour, corrected by simulating the day under the real calling policy (engine=erlangC for the closed form only). What-if parameters replace the history for every hour.',
      },
    }, async (request) => unwrap(await ops.staffingPlan(request.params.siteId, request.query, staffOf(request))));
  };
}
