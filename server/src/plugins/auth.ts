/** Staff bearer tokens on every request that carries one; route guards by role and site. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../contracts/errors.ts';
import type { Role, StaffUser } from '../contracts/dto.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffUser | null;
  }
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}

/** preHandler: a signed-in staff member with one of these roles (admin always passes). */
export function requireStaff(...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    if (!request.staff) throw new AppError({ code: 'UNAUTHENTICATED' });
    if (request.staff.role !== 'admin' && roles.length > 0 && !roles.includes(request.staff.role)) {
      throw new AppError({ code: 'FORBIDDEN', details: { reason: 'role' } });
    }
  };
}

export default fp(async function auth(app: FastifyInstance) {
  app.decorateRequest('staff', null);
  app.addHook('onRequest', async (request) => {
    // /metrics carries its own bearer token (YC_METRICS_TOKEN), not a staff session.
    if (request.routeOptions.url === '/metrics') return;
    const token = bearerToken(request.headers.authorization);
    if (!token) return;
    const user = await app.deps.auth.authenticate(token);
    if (!user) throw new AppError({ code: 'UNAUTHENTICATED', details: { reason: 'invalid or expired token' } });
    request.staff = user;
  });
});
