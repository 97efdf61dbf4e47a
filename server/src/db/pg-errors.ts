/** Postgres error codes, seen through drizzle's wrapper (`DrizzleQueryError.cause`). */
export function pgErrorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | null, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

export const isUniqueViolation = (err: unknown): boolean => pgErrorCode(err) === '23505';

/**
 * A bound the database or its pool enforces ran out: Postgres's statement_timeout (57014), lock_timeout
 * (55P03) and idle_in_transaction_session_timeout (25P03), pg-pool's wait for a connection, PGlite's gate.
 */
export function databaseTimeoutKind(err: unknown): 'wait' | 'statement' | 'lock' | 'transaction' | undefined {
  for (let e = err as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown } | null, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === '57014') return 'statement';
    if (e.code === '55P03') return 'lock';
    if (e.code === '25P03') return 'transaction';
    if (e.code === 'YC_DB_TIMEOUT') return e.kind === 'transaction' ? 'transaction' : 'wait';
    if (typeof e.message === 'string' && /timeout exceeded when trying to connect/i.test(e.message)) return 'wait';
  }
  return undefined;
}

/** The database is not there right now (restarting, unreachable): a 503, not a 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (databaseTimeoutKind(err)) return true;
  const code = pgErrorCode(err);
  if (code && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNREFUSED' || code === 'ECONNRESET')) return true;
  for (let e = err as { message?: unknown; cause?: unknown } | null, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.message === 'string' && /Connection terminated|ECONNREFUSED|timeout exceeded when trying to connect|connection error|Client was closed/i.test(e.message)) return true;
  }
  return false;
}
