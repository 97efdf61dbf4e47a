/**
 * Whether the database keeps its appointments: a query that waited too long for a connection (or, on
 * PGlite, for its turn), or ran past its time, marks the database stuck. The log says so once when it
 * becomes stuck and once when it answers again, never once per request; /health and /metrics read it.
 */
export type DatabaseTimeoutKind = 'wait' | 'statement' | 'lock' | 'transaction';

export interface DatabaseWatch {
  timedOut(kind: DatabaseTimeoutKind): void;
  answered(): void;
  /** When the database became stuck (ms since epoch), or null while it answers. */
  readonly stuckSince: number | null;
  readonly timeouts: Readonly<Record<DatabaseTimeoutKind, number>>;
}

export interface WatchLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export function createDatabaseWatch(log: () => WatchLog | undefined, now: () => number = Date.now): DatabaseWatch {
  let stuckSince: number | null = null;
  const timeouts: Record<DatabaseTimeoutKind, number> = { wait: 0, statement: 0, lock: 0, transaction: 0 };
  return {
    timedOut(kind) {
      timeouts[kind]++;
      if (stuckSince !== null) return;
      stuckSince = now();
      log()?.error({ kind }, 'database is not answering in time: requests get 503 UNAVAILABLE until it does');
    },
    answered() {
      if (stuckSince === null) return;
      const stuckForMs = now() - stuckSince;
      stuckSince = null;
      log()?.info({ stuckForMs }, 'database answers again');
    },
    get stuckSince() {
      return stuckSince;
    },
    timeouts,
  };
}
