/**
 * Reminders and no-shows fired by the job runner, with the server restarted in between: nothing lost,
 * nothing sent twice. The same scenarios run on BullMQ (REDIS_URL) and on the in-process runner.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { expect, inject } from 'vitest';
import type { Clock } from '../../server/src/lib/clock.ts';
import { manualClock } from '../../server/src/lib/clock.ts';
import { at, book, FRIDAY_10, MORNINGS, person, relaxedLimits, setRules, rows } from '../appointments/helpers.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from '../helpers/test-app.ts';
import { type FakeGateway, runningClock, sleep, startFakeGateway, waitFor } from './fake-sms-gateway.ts';

/** Rationale: up to three server boots on a shared database; on a loaded 2-core host one scenario has taken 65 s. */
export const REMINDER_TEST_MS = 180_000;

interface Cluster {
  db: TestDatabase;
  gateway: FakeGateway;
  /** Boots a server on the shared database (and Redis prefix), with jobs running. */
  boot(): Promise<TestApp>;
  prefix: string;
  cleanup(): Promise<void>;
}

async function cluster(options: { redis: boolean; clock: Clock; sweepMs: number }): Promise<Cluster> {
  const db = await createTestDatabase();
  const gateway = await startFakeGateway();
  const prefix = `yct-${randomBytes(4).toString('hex')}`;
  const apps: TestApp[] = [];
  return {
    db, gateway, prefix,
    async boot() {
      const t = await createTestApp({
        database: db, redis: options.redis, redisPrefix: prefix, clock: options.clock, startJobs: true,
        config: {
          jobs: { appointmentSweepMs: options.sweepMs, nightlyHour: 2 }, sms: { gatewayUrl: gateway.url },
          rateLimit: relaxedLimits(), staffTokenTtlMin: 60 * 24 * 30,
        },
      });
      expect(t.app.deps.jobs.kind).toBe(options.redis ? 'bullmq' : 'in-process');
      apps.push(t);
      return t;
    },
    async cleanup() {
      for (const t of apps) await t.close();
      if (options.redis) {
        // Timers still waiting for days that never come in this test: leave nothing behind in Redis.
        const queue = new Queue('jobs', { connection: { url: inject('redisUrl') }, prefix });
        await queue.obliterate({ force: true });
        await queue.close();
      }
      await gateway.close();
      await db.drop();
    },
  };
}

async function statusOf(t: TestApp, id: string): Promise<string> {
  const found = await rows<{ status: string }>(t, sql`SELECT status FROM appointments WHERE id = ${id}`);
  return found[0]?.status ?? 'missing';
}

async function outboxRows(t: TestApp) {
  return (await rows(t, sql`SELECT subject_id, kind, status, attempts, recipient_sealed FROM notification_outbox ORDER BY id`)) as
    { subject_id: string; kind: string; status: string; attempts: number; recipient_sealed: string | null }[];
}

/** One appointment sweep and one outbox delivery run, as the periodic jobs would do them. */
async function sweepByHand(t: TestApp): Promise<void> {
  await t.app.appointments.sweep();
  await t.app.outbox.deliverDue();
}

async function bookOne(t: TestApp, hall: Hall, i: number, start: string) {
  const citizen = person(i);
  const res = await book(t, { siteId: hall.siteId, serviceId: hall.services.general, start, citizen });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, code: res.body.code as string, phone: citizen.phone };
}

/**
 * Periodic sweeps (a Job Scheduler on BullMQ, an interval in process) deliver reminders and mark no-shows
 * while the clock moves and servers come and go.
 */
export async function sweepsAcrossRestarts(redis: boolean): Promise<void> {
  const clock = manualClock(FRIDAY_10);
  const c = await cluster({ redis, clock, sweepMs: 150 });
  try {
    const first = await c.boot();
    const hall = await createHall(first);
    await setRules(first, hall.adminToken, hall.siteId, hall.services.general, MORNINGS);
    // Tuesday 09:00, booked Friday: reminders Monday 09:00 and Tuesday 08:00.
    const tue = await bookOne(first, hall, 1, '2026-11-24T09:00:00+08:00');
    // Monday 09:00: reminders Sunday 09:00 and Monday 08:00.
    const mon = await bookOne(first, hall, 2, '2026-11-23T09:00:00+08:00');
    await first.close();

    // While no server runs, Sunday's and Monday 08:00's reminders fall due.
    clock.set(at('2026-11-23T08:05:00'));
    const second = await c.boot();
    await waitFor(() => c.gateway.delivered(mon.phone).length === 1, 'Monday hour-before reminder');
    // The day-before reminder, overtaken while the servers were down, is not sent an hour before the slot.
    expect(c.gateway.delivered(mon.phone)[0]?.text).toContain(mon.code);
    expect(c.gateway.delivered(mon.phone)[0]?.text).toContain('11月23日09:00');
    expect(c.gateway.delivered(tue.phone)).toHaveLength(0);

    clock.set(at('2026-11-23T09:20:00'));
    await waitFor(async () => (await statusOf(second, mon.id)) === 'noShow', 'Monday appointment marked noShow');
    await waitFor(() => c.gateway.delivered(tue.phone).length === 1, 'Tuesday day-before reminder');
    await second.close();

    const third = await c.boot();
    // Sweeps on a fresh server: everything already done stays done. The periodic ones get a second to run
    // (a loaded host may not start one in that time), and one runs by hand so at least one surely has.
    await sleep(1_000);
    await sweepByHand(third);
    expect(c.gateway.delivered(tue.phone)).toHaveLength(1);
    clock.set(at('2026-11-24T08:10:00'));
    await waitFor(() => c.gateway.delivered(tue.phone).length === 2, 'Tuesday hour-before reminder');
    // The gateway answers before the sender marks the row sent: wait for the row, not for the phone.
    await waitFor(async () => (await outboxRows(third)).every((r) => r.status === 'sent'), 'every outbox row marked sent');
    await sweepByHand(third);
    expect(c.gateway.delivered(mon.phone)).toHaveLength(1);
    expect(c.gateway.delivered(tue.phone)).toHaveLength(2);
    expect(c.gateway.requests).toHaveLength(3);
    const outbox = await outboxRows(third);
    expect(outbox.map((r) => [r.subject_id, r.kind, r.status, r.attempts])).toEqual([
      [mon.id, 'hourBefore', 'sent', 1], [tue.id, 'dayBefore', 'sent', 1], [tue.id, 'hourBefore', 'sent', 1],
    ]);
    // Sent messages keep only the masked number.
    expect(outbox.every((r) => r.recipient_sealed === null)).toBe(true);
    expect(await statusOf(third, tue.id)).toBe('booked');
  } finally {
    await c.cleanup();
  }
}

/**
 * A one-off timer set at booking (a delayed job on BullMQ; a timer rebuilt from the database at boot in
 * process) fires on the next server after the one that set it has gone. The periodic sweep is an hour
 * away, so only the timer can deliver.
 */
export async function timerAcrossRestart(redis: boolean): Promise<void> {
  const clock = runningClock(FRIDAY_10);
  const c = await cluster({ redis, clock, sweepMs: 3_600_000 });
  try {
    const first = await c.boot();
    const hall = await createHall(first);
    await setRules(first, hall.adminToken, hall.siteId, hall.services.general, MORNINGS);
    // Shortly before the hour-before reminder of a Monday 09:00 slot. Rationale: 10 s, because the timer must
    // outlive the first server; booking and closing it can take several seconds on a loaded 2-core host.
    clock.set(at('2026-11-23T07:59:50'));
    const mon = await bookOne(first, hall, 3, '2026-11-23T09:00:00+08:00');
    await first.close();
    if (redis) {
      // The timer is a delayed job in Redis, not in the process that has just stopped.
      const queue = new Queue('jobs', { connection: { url: inject('redisUrl') }, prefix: c.prefix });
      const delayed = (await queue.getDelayed()).map((j) => j.id);
      await queue.close();
      expect(delayed.some((id) => id?.includes(mon.id) && id.includes('hourBefore'))).toBe(true);
    }
    expect(c.gateway.requests).toHaveLength(0);

    const second = await c.boot();
    await waitFor(() => c.gateway.delivered(mon.phone).length === 1, 'hour-before reminder from the one-off timer');
    expect(clock.now()).toBeGreaterThanOrEqual(at('2026-11-23T08:00:00'));
    // Running every sweep by hand afterwards sends nothing more.
    await sweepByHand(second);
    expect(c.gateway.requests).toHaveLength(1);
  } finally {
    await c.cleanup();
  }
}
