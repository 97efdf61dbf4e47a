import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { IdParams, LoginBody, LoginResponse, PasswordChangeBody, StaffPasswordReset, StaffUser, TotpCodeBody, TotpSetupResponse } from '../contracts/dto.ts';
import { hallRooms } from '../contracts/events.ts';
import { type Result, unwrap } from '../contracts/errors.ts';
import { hashToken } from '../lib/secrets.ts';
import { bearerToken, requireStaff } from '../plugins/auth.ts';
import { errorResponses, staffOf } from '../lib/route-helpers.ts';

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auth, rateLimiter, audit } = app.deps;

  /** Per-address limit on top of the per-username lockout: stops spraying many usernames from one place. */
  async function perAddress(request: FastifyRequest): Promise<void> {
    const limit = await rateLimiter.hit(`login:${request.ip}`, app.deps.config.rateLimit.loginsPerMinPerIp, 60);
    if (!limit.allowed) unwrap({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterSec: limit.retryAfterSec } } });
  }

  function session(result: Result<{ token: string; expiresAt: Date; user: StaffUser }>) {
    const r = unwrap(result);
    return { token: r.token, expiresAt: r.expiresAt.toISOString(), user: r.user };
  }

  app.post('/auth/login', {
    schema: {
      tags: ['auth'],
      description: 'Staff sign-in. Accounts with a second factor answer 401 TOTP_REQUIRED until `totp` is sent; outside the demo a published default password answers 403 PASSWORD_RESET_REQUIRED (the account is locked until an administrator sets a new password). Repeated failures for a username lock it (429 LOCKED_OUT), whether or not the account exists.',
      body: LoginBody,
      response: { 200: LoginResponse, ...errorResponses(400, 401, 403, 429) },
    },
  }, async (request) => {
    await perAddress(request);
    const { username, password, totp } = request.body;
    const result = await auth.login({ username, password, totp });
    await audit.record({ actorId: result.ok ? result.value.user.id : null, action: result.ok ? 'auth.login' : 'auth.loginFailed', subject: username, data: { ip: request.ip, ...(result.ok ? {} : { code: result.error.code }) } });
    return session(result);
  });

  app.post('/auth/password', {
    schema: {
      tags: ['auth'],
      description: 'Sign in and set a new password in one step (the way past PASSWORD_CHANGE_REQUIRED). Every other session of the account ends. A published default password is refused 403 PASSWORD_RESET_REQUIRED, as at sign-in.',
      body: PasswordChangeBody,
      response: { 200: LoginResponse, ...errorResponses(400, 401, 403, 429) },
    },
  }, async (request) => {
    await perAddress(request);
    const { username, password, totp, newPassword } = request.body;
    const result = await auth.changePassword({ username, password, totp, newPassword });
    // The old sessions ended: their live sockets go too, on every node (the new session has none yet).
    if (result.ok) await app.io.of('/hall').in(hallRooms.staff(result.value.user.id)).disconnectSockets(true);
    await audit.record({ actorId: result.ok ? result.value.user.id : null, action: result.ok ? 'auth.passwordChanged' : 'auth.loginFailed', subject: username, data: { ip: request.ip, ...(result.ok ? {} : { code: result.error.code }) } });
    return session(result);
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

  // Second factor (TOTP) for administrators and supervisors: set up, prove with a code, and only then in force.
  app.post('/auth/totp/setup', {
    preValidation: requireStaff('supervisor'),
    schema: { tags: ['auth'], description: 'A new authenticator key for the signed-in admin or supervisor; not in force until /auth/totp/enable.', response: { 200: TotpSetupResponse, ...errorResponses(401, 403, 409) } },
  }, async (request) => unwrap(await auth.setupTotp(staffOf(request))));

  app.post('/auth/totp/enable', {
    preValidation: requireStaff('supervisor'),
    schema: { tags: ['auth'], description: 'A code from the authenticator turns the second factor on.', body: TotpCodeBody, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 409) } },
  }, async (request, reply) => {
    unwrap(await auth.enableTotp(staffOf(request), request.body.code));
    await audit.record({ actorId: staffOf(request).id, action: 'auth.totpEnabled', subject: staffOf(request).username, data: { ip: request.ip } });
    return reply.status(204).send(null);
  });

  app.post('/auth/totp/disable', {
    preValidation: requireStaff('supervisor'),
    schema: { tags: ['auth'], description: 'A current code turns the second factor off.', body: TotpCodeBody, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 409) } },
  }, async (request, reply) => {
    unwrap(await auth.disableTotp(staffOf(request), request.body.code));
    await audit.record({ actorId: staffOf(request).id, action: 'auth.totpDisabled', subject: staffOf(request).username, data: { ip: request.ip } });
    return reply.status(204).send(null);
  });

  app.delete('/admin/staff/:id/totp', {
    preValidation: requireStaff('admin'),
    schema: { tags: ['auth'], description: 'An administrator clears a staff member\'s second factor (a lost phone).', params: IdParams, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } },
  }, async (request, reply) => {
    unwrap(await auth.resetTotp(request.params.id));
    await audit.record({ actorId: staffOf(request).id, action: 'auth.totpReset', subject: request.params.id, data: { ip: request.ip } });
    return reply.status(204).send(null);
  });

  app.post('/admin/staff/:id/password', {
    preValidation: requireStaff('admin'),
    schema: { tags: ['auth'], description: 'An administrator sets a staff member\'s password (one locked as a published default, a forgotten one); the account\'s sessions end.', params: IdParams, body: StaffPasswordReset, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } },
  }, async (request, reply) => {
    unwrap(await auth.resetPassword(request.params.id, request.body.newPassword));
    await audit.record({ actorId: staffOf(request).id, action: 'auth.passwordReset', subject: request.params.id, data: { ip: request.ip } });
    await app.io.of('/hall').in(hallRooms.staff(request.params.id)).disconnectSockets(true);
    return reply.status(204).send(null);
  });

  // Sprayed usernames are forgotten a day after their last try.
  app.addHook('onReady', async () => {
    if (app.hasDecorator('nightly')) app.nightly.register('auth.throttle.prune', async ({ now }) => auth.pruneThrottle(now));
  });
};
