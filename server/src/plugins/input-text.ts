/**
 * What every route's input passes before the route's own schema. One check of every string it receives
 * (body, query, path): control characters, and values nested deeper than the walk goes, are refused with 400 VALIDATION_FAILED (sockets get the same check
 * in lib/socket-guard.ts). And an empty or absent body is an empty object.
 * Rationale: one hook instead of a pattern on each of ~100 TypeBox strings, so a new field cannot miss it.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../contracts/errors.ts';
import { findTextProblem } from '../lib/control-chars.ts';

export default fp(async function inputText(app: FastifyInstance) {
  // An empty JSON body is no body: `POST /tickets/:id/finish` with `content-type: application/json` and
  // nothing else (what fetch wrappers send) was a 400. Otherwise Fastify's own parser, with its
  // prototype-poisoning checks.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    json(request, String(body), done);
  });

  app.addHook('preValidation', async (request) => {
    // No body where a route takes one is an empty one: `finish` needs nothing, and a route with required
    // fields names the missing one instead of saying "must be object".
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
    for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
      const problem = findTextProblem(value);
      if (problem) throw new AppError({ code: 'VALIDATION_FAILED', details: { field: `${part}.${problem.field}`, reason: problem.reason } });
    }
  });
});
