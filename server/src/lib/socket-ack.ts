/** One helper turns domain results into socket acks `{ data } | { error }`, as HTTP does with responses. */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { type DomainError, ERRORS } from '../contracts/errors.ts';
import { isDatabaseUnavailable } from '../db/pg-errors.ts';

export type AckFn<T> = ((response: { data: T } | { error: { code: string; message: string; details?: Record<string, unknown> } }) => void) | undefined;

export function ackError<T>(ack: AckFn<T>, error: DomainError): void {
  ack?.({ error: { code: error.code, message: error.message ?? ERRORS[error.code].message, ...(error.details ? { details: error.details } : {}) } });
}

/** A compiled run-time check for an inbound payload; returns the failing field or null. */
export function payloadChecker(schema: TSchema) {
  const compiled = Compile(schema);
  return (payload: unknown): DomainError | null => {
    if (compiled.Check(payload)) return null;
    const first = [...compiled.Errors(payload)][0];
    return { code: 'VALIDATION_FAILED', details: { field: (first?.instancePath ?? '').replace(/^\//, '') || 'payload', reason: first?.message ?? 'invalid' } };
  };
}

/**
 * An event handler that always answers: a failure it did not turn into an error of its own (the database
 * away or too slow, a bug) is acked `UNAVAILABLE` or `INTERNAL` and logged, instead of leaving the client
 * waiting for an ack that never comes (and an unhandled rejection on the server).
 */
export function answering<P, T>(
  log: { debug(obj: object, msg: string): void; error(obj: object, msg: string): void },
  event: string,
  handler: (payload: P, ack: AckFn<T>) => Promise<void>,
  /** The database watch, which says once per outage that the database is not answering. */
  refused: (err: unknown) => void,
): (payload: P, ack: AckFn<T>) => void {
  return (payload, ack) => {
    handler(payload, ack).catch((err: unknown) => {
      const unavailable = isDatabaseUnavailable(err);
      // A line per refused event would bury the watch's one line (every board and phone retries).
      if (unavailable) {
        refused(err);
        log.debug({ err, event }, 'socket event refused: the database is not answering');
      } else log.error({ err, event }, 'socket event failed');
      ackError(ack, { code: unavailable ? 'UNAVAILABLE' : 'INTERNAL' });
    });
  };
}
