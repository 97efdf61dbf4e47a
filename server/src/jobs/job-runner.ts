/**
 * Background work behind one small interface. Two implementations: BullMQ (with REDIS_URL; several nodes,
 * each periodic job runs on one of them at a time) and an in-process runner (embedded default).
 *
 * Handlers must be safe to run twice: BullMQ delivers at least once, and a crash between the work and its
 * acknowledgement repeats it. Periodic handlers therefore sweep the database for what is due (restart-safe
 * by construction) rather than trusting an in-memory timer per item; one-off timers only add precision.
 */
export type JobHandler<T = unknown> = (data: T) => Promise<void>;

export interface JobRunner {
  readonly kind: 'bullmq' | 'in-process';
  /** A job run every `intervalMs`, on one node at a time. */
  every(name: string, intervalMs: number, handler: JobHandler<void>): Promise<void>;
  /** Register a handler for one-off jobs of this name. */
  handle<T>(name: string, handler: JobHandler<T>): void;
  /** Run `name` with `data` at `runAtMs`; the same `jobId` is scheduled once. */
  schedule<T>(name: string, data: T, runAtMs: number, jobId: string): Promise<void>;
  /** Run a periodic job now, in this process (tests, admin). */
  runNow(name: string): Promise<void>;
  /**
   * Start taking work: called once every handler is registered (the app's `onReady`), so no job reaches a
   * node before that node knows how to run it.
   */
  start(): Promise<void>;
  close(): Promise<void>;
}
