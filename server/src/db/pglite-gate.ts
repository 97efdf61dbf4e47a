/**
 * Embedded PGlite has one connection: every query and transaction takes turns. This gate gives the turns
 * the bounds Postgres gives its pool, so no request can hang forever on the database:
 * - a root query or transaction waits at most `waitMs` for its turn, then fails with DatabaseTimeoutError
 *   (a 503 UNAVAILABLE) without ever running, so a refused write changed nothing;
 * - a transaction holds the database at most `transactionMs` (Postgres's idle_in_transaction_session_timeout
 *   plays this part there), then it is rolled back and its later queries fail;
 * - a root query from inside a transaction's own async context is refused at once (it would wait for the
 *   transaction that waits for it: see transaction-scope.ts).
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { DatabaseWatch } from './database-watch.ts';
import { assertNoOpenTransaction } from './transaction-scope.ts';

/** Carries `code` so pg-errors.ts treats it like Postgres's own timeouts: a 503, not a 500. */
export class DatabaseTimeoutError extends Error {
  readonly code = 'YC_DB_TIMEOUT';
  constructor(readonly kind: 'wait' | 'transaction', ms: number) {
    super(kind === 'wait' ? `timed out after ${ms} ms waiting for the embedded database` : `transaction rolled back after holding the embedded database for ${ms} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

export interface PgliteLimits {
  /** Longest wait for a turn; 0 = unbounded. */
  waitMs: number;
  /** Longest a transaction may hold the database; 0 = unbounded. */
  transactionMs: number;
}

export interface PgliteGate {
  /** Runs `fn` with no time bounds (migrations at boot may legitimately take long). */
  unbounded<T>(fn: () => Promise<T>): Promise<T>;
}

type Release = () => void;

export function gatePglite(client: PGlite, limits: PgliteLimits, watch: DatabaseWatch): PgliteGate {
  const raw = { query: client.query.bind(client), exec: client.exec.bind(client), transaction: client.transaction.bind(client) };
  const waiting: Array<() => void> = [];
  let busy = false;
  let bounded = true;
  // PGlite's start-up runs its own queries through these methods and makes every other call await it:
  // gating those would have a caller wait for start-up while start-up waits for the caller's turn.
  let started = false;
  void client.waitReady.then(() => (started = true), () => undefined);

  const release: Release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy = false;
  };

  function turn(): Promise<Release> {
    if (!busy) {
      busy = true;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const granted = () => {
        if (timer) clearTimeout(timer);
        resolve(release);
      };
      const timer = bounded && limits.waitMs > 0
        ? setTimeout(() => {
            waiting.splice(waiting.indexOf(granted), 1);
            watch.timedOut('wait');
            reject(new DatabaseTimeoutError('wait', limits.waitMs));
          }, limits.waitMs)
        : undefined;
      waiting.push(granted);
    });
  }

  async function inTurn<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (!started) return fn();
    assertNoOpenTransaction(what);
    const done = await turn();
    try {
      const result = await fn();
      watch.answered();
      return result;
    } finally {
      done();
    }
  }

  /** The transaction handed to drizzle: refuses everything once the transaction ran out of time. */
  function expiring(tx: Transaction, expired: () => boolean): Transaction {
    const check = () => {
      if (expired()) throw new DatabaseTimeoutError('transaction', limits.transactionMs);
    };
    return {
      query: async (...args) => (check(), tx.query(...args)),
      sql: async (...args) => (check(), tx.sql(...args)),
      exec: async (...args) => (check(), tx.exec(...args)),
      rollback: async () => (check(), tx.rollback()),
      listen: async (...args) => (check(), tx.listen(...args)),
      get closed() {
        return tx.closed || expired();
      },
    };
  }

  client.query = ((...args: Parameters<PGlite['query']>) => inTurn('query', () => raw.query(...args))) as PGlite['query'];
  client.exec = ((...args: Parameters<PGlite['exec']>) => inTurn('exec', () => raw.exec(...args))) as PGlite['exec'];
  client.transaction = (<T>(callback: (tx: Transaction) => Promise<T>) =>
    inTurn('transaction', () =>
      raw.transaction(async (tx) => {
        if (!bounded || limits.transactionMs <= 0) return callback(tx);
        let expired = false;
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            expired = true;
            watch.timedOut('transaction');
            reject(new DatabaseTimeoutError('transaction', limits.transactionMs));
          }, limits.transactionMs);
        });
        const work = callback(expiring(tx, () => expired));
        // The body may still settle after the deadline rolled it back; nobody awaits it then.
        work.catch(() => undefined);
        try {
          return await Promise.race([work, deadline]);
        } finally {
          clearTimeout(timer);
        }
      }),
    )) as PGlite['transaction'];

  return {
    async unbounded(fn) {
      bounded = false;
      try {
        return await fn();
      } finally {
        bounded = true;
      }
    },
  };
}
