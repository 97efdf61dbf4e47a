/**
 * BullMQ behind the JobRunner interface (with REDIS_URL). Periodic work is a Job Scheduler
 * (`upsertJobScheduler`): Redis holds one schedule per name, so with several nodes each run goes to one
 * worker, and the schedule survives restarts. One-off timers are delayed jobs with a deterministic id,
 * so scheduling the same timer twice (a retry, a rebuild at boot) adds it once.
 *
 * The connection is dedicated and has `maxRetriesPerRequest: null`, as BullMQ requires for its blocking
 * commands; Redis must run with `maxmemory-policy noeviction` (an evicted job key is a lost job).
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { JobHandler, JobRunner } from './job-runner.ts';

export interface BullmqRunnerOptions {
  redisUrl: string;
  /** BullMQ key prefix: the deployment's `YC_REDIS_PREFIX`. */
  prefix: string;
  onError: (name: string, err: unknown) => void;
  now?: () => number;
  /** Rationale: jobs here are short database sweeps; 4 at once keeps a 2-core node responsive. */
  concurrency?: number;
}

const QUEUE_NAME = 'jobs';
/** Rationale: a one-off timer that keeps failing is retried for about a minute, then kept for inspection. */
const ONE_OFF_ATTEMPTS = 5;
const ONE_OFF_BACKOFF_MS = 2_000;
/** Rationale: failed jobs kept for inspection; completed ones are not worth the memory. */
const KEEP_FAILED = 200;

/** Lua: delete the key only if it still holds our token (never release someone else's lock). */
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export function createBullmqRunner(options: BullmqRunnerOptions): JobRunner {
  const now = options.now ?? Date.now;
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  connection.on('error', () => undefined);
  const periodic = new Map<string, { handler: JobHandler<void>; intervalMs: number }>();
  const handlers = new Map<string, JobHandler<unknown>>();
  let queue: Queue | null = null;
  let worker: Worker | null = null;
  let closed = false;
  const inFlight = new Set<Promise<void>>();

  function getQueue(): Queue {
    if (!queue) {
      queue = new Queue(QUEUE_NAME, { connection, prefix: options.prefix });
      queue.on('error', (err) => options.onError('bullmq.queue', err));
    }
    return queue;
  }

  /**
   * A periodic run holds a short Redis lock: a run slower than its interval is not overlapped by the next
   * one on another node (the scheduler itself already hands each run to one worker).
   */
  async function runExclusive(name: string, handler: JobHandler<void>, intervalMs: number): Promise<void> {
    const key = `${options.prefix}:jobs-lock:${name}`;
    const token = randomBytes(8).toString('hex');
    const ttl = Math.max(5 * intervalMs, 60_000);
    const got = await connection.set(key, token, 'PX', ttl, 'NX');
    if (got !== 'OK') return;
    try {
      await handler();
    } catch (err) {
      // The next run comes anyway; a retry would only pile up behind it.
      options.onError(name, err);
    } finally {
      await connection.eval(RELEASE_SCRIPT, 1, key, token).catch(() => undefined);
    }
  }

  async function processJob(job: Job): Promise<void> {
    const p = periodic.get(job.name);
    if (p) return runExclusive(job.name, p.handler, p.intervalMs);
    const handler = handlers.get(job.name);
    // Thrown, so BullMQ retries it: a node of an older version may have taken a job it does not know.
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    await handler(job.data);
  }

  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  return {
    kind: 'bullmq',
    async every(name, intervalMs, handler) {
      if (closed) return;
      periodic.set(name, { handler, intervalMs });
      await getQueue().upsertJobScheduler(name, { every: intervalMs }, {
        name,
        data: {},
        opts: { removeOnComplete: true, removeOnFail: KEEP_FAILED },
      });
    },
    handle(name, handler) {
      handlers.set(name, handler as JobHandler<unknown>);
    },
    async schedule(name, data, runAtMs, jobId) {
      if (closed) return;
      await getQueue().add(name, data, {
        // BullMQ ids may not contain ':'.
        jobId: `${name}.${jobId}`.replace(/:/g, '_'),
        delay: Math.max(0, runAtMs - now()),
        attempts: ONE_OFF_ATTEMPTS,
        backoff: { type: 'exponential', delay: ONE_OFF_BACKOFF_MS },
        removeOnComplete: true,
        removeOnFail: KEEP_FAILED,
      });
    },
    async runNow(name) {
      const p = periodic.get(name);
      if (!p || closed) return;
      // Directly, without the lock: handlers are idempotent, and a test or an admin wants it done now.
      await track(p.handler().catch((err: unknown) => options.onError(name, err)));
    },
    async start() {
      if (closed || worker) return;
      worker = new Worker(QUEUE_NAME, processJob, { connection, prefix: options.prefix, concurrency: options.concurrency ?? 4 });
      worker.on('error', (err) => options.onError('bullmq.worker', err));
      worker.on('failed', (job, err) => options.onError(job?.name ?? 'bullmq', err));
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker?.close();
      await Promise.all([...inFlight]);
      await queue?.close();
      // Nothing is pending once the worker and queue are closed; `quit` would wait for a Redis that is down.
      connection.disconnect();
    },
  };
}
