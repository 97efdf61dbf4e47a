/**
 * The embedded default: timers in this process. One-off jobs live only in memory, so domain code schedules
 * nothing it could not rebuild: every durable timer is a periodic sweep over the database, and one-off
 * timers are set again from the database at boot.
 */
import type { JobHandler, JobRunner } from './job-runner.ts';

export interface InProcessRunnerOptions {
  onError: (name: string, err: unknown) => void;
  now?: () => number;
}

/** setTimeout's limit (about 24.8 days): longer delays are waited out in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function createInProcessRunner(options: InProcessRunnerOptions): JobRunner {
  const periodic = new Map<string, { handler: JobHandler<void>; timer: NodeJS.Timeout; running: Promise<void> | null }>();
  const handlers = new Map<string, JobHandler<unknown>>();
  const oneOff = new Map<string, NodeJS.Timeout>();
  const runningOneOffs = new Set<Promise<void>>();
  let closed = false;
  const now = options.now ?? Date.now;

  async function runPeriodic(name: string): Promise<void> {
    const job = periodic.get(name);
    if (!job || closed) return;
    // Never overlap a slow run with the next tick.
    if (job.running) return job.running;
    job.running = job.handler().catch((err: unknown) => options.onError(name, err)).finally(() => {
      job.running = null;
    });
    return job.running;
  }

  function arm(key: string, name: string, data: unknown, runAtMs: number) {
    const wait = Math.max(0, runAtMs - now());
    const timer = setTimeout(() => {
      if (wait > MAX_TIMEOUT_MS) return arm(key, name, data, runAtMs);
      oneOff.delete(key);
      const handler = handlers.get(name);
      if (!handler || closed) return;
      const p = handler(data).catch((err: unknown) => options.onError(name, err)).finally(() => runningOneOffs.delete(p));
      runningOneOffs.add(p);
    }, Math.min(wait, MAX_TIMEOUT_MS));
    timer.unref();
    oneOff.set(key, timer);
  }

  return {
    kind: 'in-process',
    async every(name, intervalMs, handler) {
      if (closed) return;
      const prior = periodic.get(name);
      if (prior) clearInterval(prior.timer);
      const timer = setInterval(() => void runPeriodic(name), intervalMs);
      timer.unref();
      periodic.set(name, { handler, timer, running: null });
    },
    handle(name, handler) {
      handlers.set(name, handler as JobHandler<unknown>);
    },
    async schedule(name, data, runAtMs, jobId) {
      if (closed) return;
      const key = `${name}:${jobId}`;
      if (oneOff.has(key)) return;
      arm(key, name, data, runAtMs);
    },
    runNow: runPeriodic,
    async start() {
      // Timers start as they are registered; nothing is waiting for this.
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of periodic.values()) clearInterval(job.timer);
      for (const timer of oneOff.values()) clearTimeout(timer);
      await Promise.all([...periodic.values()].map((j) => j.running));
      await Promise.all([...runningOneOffs]);
      periodic.clear();
      oneOff.clear();
    },
  };
}
