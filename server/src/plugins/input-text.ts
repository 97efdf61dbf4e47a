/**
 * One check of every string a route receives (body, query, path), before the route's own schema: control
 * characters are refused with 400 VALIDATION_FAILED. Sockets get the same check in lib/socket-guard.ts.
 * Rationale: one hook instead of a pattern on each of ~100 TypeBox strings, so a new field cannot miss it.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../contracts/errors.ts';
import { findControlChar } from '../lib/control-chars.ts';

export default fp(async function inputText(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
      const field = findControlChar(value);
      if (field) throw new AppError({ code: 'VALIDATION_FAILED', details: { field: `${part}.${field}`, reason: 'control characters are not allowed' } });
    }
  });
});
