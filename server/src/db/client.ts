/**
 * The database: Postgres over `pg` when DATABASE_URL is set, else embedded PGlite (real Postgres in WASM)
 * in a folder. Both give the same drizzle API, so nothing above this file knows which it is.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { createDatabaseWatch, type DatabaseWatch, type WatchLog } from './database-watch.ts';
import { databaseTimeoutKind } from './pg-errors.ts';
import { REPO_ROOT } from '../repo-root.ts';
import { gatePglite } from './pglite-gate.ts';
import * as schema from './schema/index.ts';
import { assertNoOpenTransaction, inTransactionScope } from './transaction-scope.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database itself: repositories take either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** Timeouts seen and whether the database is stuck right now (for /health, /metrics and one log line). */
  readonly watch: DatabaseWatch;
  /**
   * For caches in front of the database: refuses (where transactions are strict, and always on PGlite) a
   * read that would use the root handle inside a transaction, even when the cache answers this time.
   */
  checkRootRead(what: string): void;
  migrate(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(REPO_ROOT, 'migrations');
/** Rationale: any constant works; it only has to be the same on every node that migrates. */
const MIGRATION_LOCK_KEY = 7_155_001;

/** How long the database may keep a request waiting; every bound is in ms, 0 = none. */
export interface DatabaseLimits {
  /** For a pool connection (Postgres) or a turn (PGlite). */
  waitMs: number;
  /** Postgres statement_timeout. */
  statementMs: number;
  /** Postgres lock_timeout. */
  lockMs: number;
  /** Postgres idle_in_transaction_session_timeout; on PGlite, the longest a transaction may hold it. */
  transactionMs: number;
}

/** For tools without a config (benches, test setup): the same as config.ts's defaults. */
export const DEFAULT_DATABASE_LIMITS: DatabaseLimits = { waitMs: 5_000, statementMs: 15_000, lockMs: 5_000, transactionMs: 30_000 };

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Pool size per node. Rationale: 2-core hosts; more connections only queue inside Postgres. */
  poolMax?: number;
  limits?: DatabaseLimits;
  /**
   * A root-handle query inside a transaction's own async context: refused (true) or logged (false). PGlite
   * always refuses (queries and checkRootRead), since it would hang; on Postgres it works but is a bug,
   * refused outside production.
   */
  strictTransactions?: boolean;
  /** Where the database says once that it is stuck, and once that it answers again. */
  log?: () => WatchLog | undefined;
}

export function createDatabase(options: DatabaseOptions): Database {
  const watch = createDatabaseWatch(options.log ?? (() => undefined));
  const limits = options.limits ?? DEFAULT_DATABASE_LIMITS;
  const strict = options.strictTransactions ?? true;
  // Postgres outside strict mode: the query works (on another connection), so it is logged, not refused.
  const rootCheck = (what: string) => {
    if (strict) return assertNoOpenTransaction(what);
    try {
      assertNoOpenTransaction(what);
    } catch (err) {
      options.log?.()?.error({ err }, 'root database query inside a transaction');
    }
  };
  const database: Omit<Database, 'checkRootRead'> = options.databaseUrl
    ? createPostgres(options.databaseUrl, options.poolMax ?? 20, limits, watch, rootCheck)
    : createPglite(options.dataDir, limits, watch);
  scopeTransactions(database.db);
  // On PGlite a cache's miss inside a transaction would wait for that transaction for ever, so the read is
  // refused even in production, where Postgres (which would only read around the transaction) lets it pass.
  const strictReads = strict || database.kind === 'pglite';
  return { ...database, checkRootRead: (what) => (strictReads ? assertNoOpenTransaction(what) : undefined) };
}

/** Every transaction body runs as the holder of its transaction, so the drivers can spot root queries inside it. */
function scopeTransactions(db: Db): void {
  const raw = db.transaction.bind(db);
  db.transaction = ((body, config) => raw((tx) => inTransactionScope(() => body(tx)), config)) as Db['transaction'];
}

/** A driver call whose promise (or callback) reports timeouts to the watch and a success as an answer. */
type DriverCall = (...args: unknown[]) => unknown;

function watched(fn: DriverCall, watch: DatabaseWatch): DriverCall {
  const seen = (err: unknown) => {
    const kind = databaseTimeoutKind(err);
    if (kind) watch.timedOut(kind);
  };
  return (...args: unknown[]) => {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (err: unknown, ...rest: unknown[]) => {
        if (err) seen(err);
        else watch.answered();
        return (callback as (...a: unknown[]) => unknown)(err, ...rest);
      };
      return fn(...args);
    }
    const result = fn(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(() => watch.answered(), seen);
    }
    return result;
  };
}

function createPostgres(url: string, poolMax: number, limits: DatabaseLimits, watch: DatabaseWatch, rootCheck: (what: string) => void): Omit<Database, 'checkRootRead'> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: limits.waitMs,
    statement_timeout: limits.statementMs,
    lock_timeout: limits.lockMs,
    idle_in_transaction_session_timeout: limits.transactionMs,
  });
  // An idle client losing its connection (Postgres restarted) must not crash the process.
  pool.on('error', () => undefined);
  // Every connection's queries report timeouts (a statement or lock timeout inside a transaction, too).
  pool.on('connect', (client) => {
    client.query = watched(client.query.bind(client) as DriverCall, watch) as typeof client.query;
    // A connection Postgres ends while it is checked out (idle_in_transaction_session_timeout, a restart)
    // emits 'error' on the client; unheard, that would crash the process. Its next query fails anyway.
    client.on('error', (err) => {
      const kind = databaseTimeoutKind(err);
      if (kind) watch.timedOut(kind);
    });
  });
  const rawQuery = pool.query.bind(pool);
  const rawConnect = pool.connect.bind(pool);
  // A connection that never came is the one timeout the connection's own queries cannot see.
  const waitedInVain = (err: unknown) => {
    if (databaseTimeoutKind(err) === 'wait') watch.timedOut('wait');
  };
  pool.query = ((...args: Parameters<typeof rawQuery>) => {
    rootCheck('query');
    const result = rawQuery(...args);
    (result as unknown as Promise<unknown> | undefined)?.then?.(undefined, waitedInVain);
    return result;
  }) as typeof pool.query;
  // pg-pool's own query() asks connect() with a callback: that path is already checked above.
  pool.connect = ((...args: Parameters<typeof rawConnect>) => {
    if (typeof args[0] === 'function') return rawConnect(...args);
    rootCheck('transaction');
    const acquired = rawConnect();
    acquired.catch(waitedInVain);
    return acquired;
  }) as typeof pool.connect;
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'postgres',
    watch,
    async migrate() {
      // A dedicated connection holds the advisory lock so two nodes booting together migrate once; it waits
      // as long as the other node's migration takes, and a migration may run longer than any request.
      const client = await rawConnect();
      try {
        await client.query('SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0');
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
        await client.query('RESET statement_timeout; RESET lock_timeout; RESET idle_in_transaction_session_timeout').catch(() => undefined);
        client.release();
      }
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

function createPglite(dataDir: string, limits: DatabaseLimits, watch: DatabaseWatch): Omit<Database, 'checkRootRead'> {
  mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(path.join(dataDir, 'pglite'));
  const gate = gatePglite(client, { waitMs: limits.waitMs, transactionMs: limits.transactionMs }, watch);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    watch,
    async migrate() {
      // One process owns a PGlite folder, so no lock is needed beyond PGlite's own.
      await gate.unbounded(() => migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }));
    },
    async ping() {
      try {
        await db.execute(sql`SELECT 1`);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
