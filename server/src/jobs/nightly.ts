/**
 * Nightly work (the statistics roll-up) behind a registration hook: a domain registers a task, and one
 * periodic job runs every registered task once per local day, after `atHour`, on one node.
 *
 *   app.nightly.register('stats.rollup', async ({ day }) => { … upsert the roll-up of `day` … });
 *
 * A task receives a finished day (`YYYY-MM-DD`, deployment zone). Each (task, day) is claimed in
 * `job_marks` before it runs, so a second node or a second run skips it; a task that throws releases its
 * claim and is tried again on the next run. Days missed while the service was down (up to a week) are
 * caught up oldest first. A process killed mid-task leaves that day claimed but not done;
 * Rationale: for a roll-up a missing day is visible and re-runnable (`release`), a double count is not.
 * Tasks should still be upserts, so a manual re-run is harmless.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { jobMarks } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import { localDate, localParts } from '../lib/time.ts';
import type { JobRunner } from './job-runner.ts';

export type NightlyTask = (input: { day: string; now: number }) => Promise<void>;

export const NIGHTLY_JOB = 'nightly.tasks';
/** Rationale: checking every 15 minutes starts the night's work within a quarter-hour of `atHour`. */
export const NIGHTLY_CHECK_MS = 15 * 60_000;
/** Rationale: a week covers a long holiday shutdown; older days are for a manual re-run. */
const CATCH_UP_DAYS = 7;

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export interface NightlyDeps {
  db: Db;
  clock: Clock;
  /** The deployment's zone for "a day" (sites in other zones are rare; roll-ups key by date). */
  timeZone: string;
  /** Local hour (0–23) from which yesterday is rolled up. */
  atHour: number;
  onError: (name: string, err: unknown) => void;
}

export function createNightlyJobs(deps: NightlyDeps) {
  const tasks = new Map<string, NightlyTask>();

  async function claim(name: string, day: string, now: number): Promise<boolean> {
    const rows = await deps.db.insert(jobMarks).values({ name, key: day, at: new Date(now) }).onConflictDoNothing().returning({ key: jobMarks.key });
    return rows.length === 1;
  }

  /** Runs every registered task for every finished, unclaimed day of the last week. Returns what ran. */
  async function run(): Promise<{ task: string; day: string }[]> {
    const now = deps.clock.now();
    if (localParts(now, deps.timeZone).hour < deps.atHour) return [];
    const today = localDate(now, deps.timeZone);
    const ran: { task: string; day: string }[] = [];
    for (const [name, task] of tasks) {
      for (let back = CATCH_UP_DAYS; back >= 1; back--) {
        const day = addDays(today, -back);
        if (!(await claim(name, day, now))) continue;
        try {
          await task({ day, now });
          ran.push({ task: name, day });
        } catch (err) {
          await deps.db.delete(jobMarks).where(and(eq(jobMarks.name, name), eq(jobMarks.key, day)));
          deps.onError(name, err);
          break;
        }
      }
    }
    return ran;
  }

  return {
    /** Adds a nightly task (any time: the job runs whatever is registered when it fires). */
    register(name: string, task: NightlyTask) {
      tasks.set(name, task);
    },
    run,
    async start(jobs: Pick<JobRunner, 'every'>, intervalMs = NIGHTLY_CHECK_MS) {
      await jobs.every(NIGHTLY_JOB, intervalMs, async () => void (await run()));
    },
    /** Forget a day's claim so its tasks run again (an operator re-running a roll-up). */
    async release(name: string, day: string) {
      await deps.db.execute(sql`DELETE FROM job_marks WHERE name = ${name} AND key = ${day}`);
    },
  };
}

export type NightlyJobs = ReturnType<typeof createNightlyJobs>;
