/**
 * Whether the database keeps its appointments: a query that waited too long for a connection (or, on
 * PGlite, for its turn), or ran past its time, marks the database stuck. It answers again once it has gone
 * a quiet spell without a timeout: a database that fails some requests every few seconds while answering
 * others is still stuck to the people waiting. The log says so once when it becomes stuck (or, refused or
 * restarting, cannot be reached) and once when it answers again, never once per request; /metrics and
 * /health read it.
 */
export type DatabaseTimeoutKind = 'wait' | 'statement' | 'lock' | 'transaction';

export interface DatabaseWatch {
  timedOut(kind: DatabaseTimeoutKind): void;
  /**
   * A request (or a socket handshake) was refused because the database is unavailable (isDatabaseUnavailable).
   * A timeout is already said by timedOut; a database that cannot be reached (refused, restarting) is said
   * here, once until it answers again, so a refused request never logs on its own.
   */
  refused(err: unknown): void;
  answered(): void;
  /** When the database became stuck (ms since epoch), or null while it answers. */
  readonly stuckSince: number | null;
  readonly timeouts: Readonly<Record<DatabaseTimeoutKind, number>>;
}

export interface WatchLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Rationale: longer than a burst of refused retries (clients back off by Retry-After: 5 s), short enough to report recovery promptly. */
export const QUIET_SPELL_MS = 5_000;

export function createDatabaseWatch(log: () => WatchLog | undefined, now: () => number = Date.now): DatabaseWatch {
  let stuckSince: number | null = null;
  let lastTimeoutAt = 0;
  let unreachableSince: number | null = null;
  const timeouts: Record<DatabaseTimeoutKind, number> = { wait: 0, statement: 0, lock: 0, transaction: 0 };
  return {
    timedOut(kind) {
      timeouts[kind]++;
      lastTimeoutAt = now();
      if (stuckSince !== null) return;
      stuckSince = now();
      log()?.error({ kind }, 'database is not answering in time: requests get 503 UNAVAILABLE until it does');
    },
    refused(err) {
      if (stuckSince !== null || unreachableSince !== null) return;
      unreachableSince = now();
      log()?.error({ err }, 'database cannot be reached: requests get 503 UNAVAILABLE until it answers');
    },
    answered() {
      if (unreachableSince !== null) {
        const unreachableForMs = now() - unreachableSince;
        unreachableSince = null;
        log()?.info({ unreachableForMs }, 'database answers again');
      }
      if (stuckSince === null || now() - lastTimeoutAt < QUIET_SPELL_MS) return;
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
