/** One helper turns domain results into socket acks `{ data } | { error }`, as HTTP does with responses. */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { type DomainError, ERRORS } from '../contracts/errors.ts';

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
