/** Small pieces every route module needs. */
import type { FastifyRequest } from 'fastify';
import { ErrorBodySchema } from '../contracts/dto.ts';
import { AppError, type ErrorCode } from '../contracts/errors.ts';
import type { StaffUser } from '../contracts/dto.ts';

/** The error responses a route documents in OpenAPI. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBodySchema]));
}

/** A citizen's access token: `X-Access-Token` header, or `?t=` (links and QR codes). */
export function citizenToken(request: FastifyRequest): string | null {
  const header = request.headers['x-access-token'];
  if (typeof header === 'string' && header) return header;
  const q = (request.query as Record<string, unknown> | undefined)?.t;
  return typeof q === 'string' && q ? q : null;
}

export function staffOf(request: FastifyRequest): StaffUser {
  if (!request.staff) throw new AppError({ code: 'UNAUTHENTICATED' });
  return request.staff;
}

export function deny(code: ErrorCode, details?: Record<string, unknown>): never {
  throw new AppError({ code, ...(details ? { details } : {}) });
}
