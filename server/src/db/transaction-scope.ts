/**
 * Which async context holds a transaction. Whatever runs inside a transaction must use that transaction:
 * on embedded PGlite (one connection) a query on the root handle waits for the transaction, which waits
 * for the query, and the whole server hangs; on Postgres it takes a second connection, reads around the
 * transaction's own writes and can wait on the transaction's own row locks. The drivers ask `rootQueryInTransaction`
 * before every root-handle query and refuse at once, so the mistake fails loudly in the test that makes it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  /** False once the transaction has committed or rolled back: work it started may then use the root handle. */
  open: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Runs `fn` (a transaction's body) as the holder of a transaction. */
export async function inTransactionScope<T>(fn: () => Promise<T>): Promise<T> {
  const scope: Scope = { open: true };
  try {
    return await scopes.run(scope, fn);
  } finally {
    scope.open = false;
  }
}

export class RootQueryInTransactionError extends Error {
  constructor(what: string) {
    super(
      `${what} on the root database handle while this async context holds a transaction: ` +
        'pass the transaction (tx) to whatever runs inside it (on embedded PGlite this would wait forever)',
    );
    this.name = 'RootQueryInTransactionError';
  }
}

/** Throws when the caller's async context holds an open transaction. */
export function assertNoOpenTransaction(what: string): void {
  if (scopes.getStore()?.open) throw new RootQueryInTransactionError(what);
}
