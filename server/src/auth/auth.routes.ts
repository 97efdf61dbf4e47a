import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hallRooms } from '../contracts/events.ts';
import { hashToken } from '../lib/secrets.ts';
import { LoginBody, LoginResponse, StaffUser } from '../contracts/dto.ts';
import { unwrap } from '../contracts/errors.ts';
import { bearerToken, requireStaff } from '../plugins/auth.ts';
import { errorResponses, staffOf } from '../lib/route-helpers.ts';

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auth, rateLimiter } = app.deps;

  app.post('/auth/login', {
    schema: { tags: ['auth'], body: LoginBody, response: { 200: LoginResponse, ...errorResponses(400, 401, 429) } },
  }, async (request) => {
    // Per-address limit on top of the per-account lockout: stops spraying many usernames from one place.
    const limit = await rateLimiter.hit(`login:${request.ip}`, app.deps.config.rateLimit.loginsPerMinPerIp, 60);
    if (!limit.allowed) unwrap({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterSec: limit.retryAfterSec } } });
    const result = await auth.login(request.body.username, request.body.password);
    await app.deps.audit.record({ actorId: result.ok ? result.value.user.id : null, action: result.ok ? 'auth.login' : 'auth.loginFailed', subject: request.body.username, data: { ip: request.ip } });
    const r = unwrap(result);
    return { token: r.token, expiresAt: r.expiresAt.toISOString(), user: r.user };
  });

  app.post('/auth/logout', { preValidation: requireStaff(), schema: { tags: ['auth'], response: { 204: { type: 'null' } } } }, async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (token) {
      await auth.logout(token);
      // The session's live sockets go at once, on every node (the Redis adapter carries the request).
      await app.io.of('/hall').in(hallRooms.session(hashToken(token))).disconnectSockets(true);
    }
    return reply.status(204).send(null);
  });

  app.get('/auth/me', { preValidation: requireStaff(), schema: { tags: ['auth'], response: { 200: StaffUser, ...errorResponses(401) } } }, async (request) => staffOf(request));
};
