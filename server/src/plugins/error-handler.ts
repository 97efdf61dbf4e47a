/**
 * The one place where errors become responses, in the contract's format. Bad input never yields a 500,
 * and no response carries a stack trace or SQL text.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, type DomainError, ERRORS, errorBody } from '../contracts/errors.ts';
import { isDatabaseUnavailable } from '../db/pg-errors.ts';

function toDomainError(err: FastifyError & { validation?: unknown[]; validationContext?: string }): DomainError {
  if (err instanceof AppError) return err.domain;
  if (err.validation) {
    const first = (err.validation as { instancePath?: string; params?: { missingProperty?: string }; message?: string }[])[0];
    const path = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const field = [err.validationContext, path || first?.params?.missingProperty].filter(Boolean).join('.');
    return { code: 'VALIDATION_FAILED', details: { field, reason: first?.message ?? 'invalid' } };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return { code: 'VALIDATION_FAILED', details: { field: 'body', reason: 'malformed body' } };
    default:
      break;
  }
  if (isDatabaseUnavailable(err)) return { code: 'UNAVAILABLE' };
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 413) return { code: 'PAYLOAD_TOO_LARGE' };
    if (err.statusCode === 404) return { code: 'NOT_FOUND' };
    if (err.statusCode === 429) return { code: 'RATE_LIMITED' };
    return { code: 'VALIDATION_FAILED', details: { reason: 'malformed request' } };
  }
  return { code: 'INTERNAL' };
}

export default fp(async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const domain = toDomainError(err);
    const status = ERRORS[domain.code].status;
    // The database watch says once per outage that the database is not answering; a line per refused
    // request would bury that line (and the log's disk) under thousands of copies of it.
    if (domain.code === 'UNAVAILABLE' && isDatabaseUnavailable(err)) {
      app.deps.database.watch.refused(err);
      request.log.debug({ err }, 'request refused: the database is unavailable');
    } else if (status >= 500) request.log.error({ err }, 'request failed');
    if (domain.code === 'RATE_LIMITED' || domain.code === 'LOCKED_OUT') {
      const retryAfter = Number(domain.details?.retryAfterSec ?? 60);
      reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
    }
    if (domain.code === 'UNAVAILABLE') reply.header('Retry-After', '5');
    return reply.status(status).send(errorBody(domain));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody({ code: 'NOT_FOUND', details: { path: request.url.split('?')[0] } })));
});
