/**
 * Deadline timers survive a restart: a case is filed on one server, that server goes away, and a new server
 * on the same database (a restart, or another node) warns and escalates on time from what the database
 * holds. Runs with the in-process runner and with BullMQ (Redis).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CASE_SWEEP_JOB } from '../../server/src/cases/cases.module.ts';
import { manualClock } from '../../server/src/lib/clock.ts';
import { zonedTimeToMs } from '../../server/src/lib/time.ts';
import { createHall, login } from '../helpers/fixtures.ts';
import { bearer, createTestApp, createTestDatabase, onPglite, type TestApp, type TestDatabase } from '../helpers/test-app.ts';

const at = (date: string, time: string) => zonedTimeToMs(date, time, 'Asia/Shanghai');

// The embedded default has no Redis, so no BullMQ; its restarts are the in-process runner's.
const RUNNERS = [{ runner: 'in-process', redis: false }, ...(onPglite ? [] : [{ runner: 'bullmq', redis: true }])];

describe.each(RUNNERS)('escalation after a restart ($runner)', ({ redis }) => {
  let database: TestDatabase;
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
    await database?.drop();
  });

  /** A fresh server process on the shared database, its clock at `now`. */
  async function boot(now: number): Promise<TestApp> {
    const t = await createTestApp({ database, clock: manualClock(now), startJobs: true, redis });
    apps.push(t);
    return t;
  }

  const caseOf = async (t: TestApp, id: string) => (await t.api('GET', `/cases/${id}`, undefined, bearer(await login(t, 'supervisor')))).body;
  const timerEvents = (c: { events: { type: string; actorKind: string }[] }) => c.events.filter((e) => e.actorKind === 'system').map((e) => e.type);

  it('warns before and escalates after each deadline, once, from whichever process is running', async () => {
    database = await createTestDatabase();
    // Monday 10:00: reply due 17:00 today, resolution Monday next week 17:00; warnings 4 h ahead.
    const first = await boot(at('2026-11-23', '10:00'));
    await createHall(first);
    const filed = await first.api('POST', '/cases', { siteId: (await first.app.deps.sites.all()).find((s) => s.code === 'T-HALL')!.id, kind: 'cannotBeDone', description: '无法办理', contact: { phone: '13812345678' } });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    await first.close();

    // Restarted at 13:30: inside the reply warning horizon (13:00–17:00).
    const second = await boot(at('2026-11-23', '13:30'));
    await second.app.deps.jobs.runNow(CASE_SWEEP_JOB);
    let c = await caseOf(second, id);
    expect(c.status).toBe('open');
    expect(timerEvents(c)).toEqual(['warned']);
    await second.close();

    // Restarted again after the reply deadline: escalated, once however often the sweep runs.
    const third = await boot(at('2026-11-23', '17:05'));
    await third.app.deps.jobs.runNow(CASE_SWEEP_JOB);
    await third.app.deps.jobs.runNow(CASE_SWEEP_JOB);
    c = await caseOf(third, id);
    expect(c.status).toBe('escalated');
    expect(timerEvents(c)).toEqual(['warned', 'escalated']);
    expect(c.events.at(-1)).toMatchObject({ type: 'escalated', fromStatus: 'open', toStatus: 'escalated', actorKind: 'system' });

    // The escalated case is answered and worked on; the resolution deadline still runs.
    const sup = bearer(await login(third, 'supervisor'));
    expect((await third.api('POST', `/cases/${id}/reply`, { message: '已安排专人处理' }, sup)).body.status).toBe('replied');
    await third.close();

    // Two nodes after the resolution deadline (Monday 11-30 17:00) sweep at the same time: one escalation.
    // The embedded default is one process, so there one node sweeps twice at once.
    const a = await boot(at('2026-11-30', '17:30'));
    const b = onPglite ? a : await boot(at('2026-11-30', '17:30'));
    await Promise.all([a.app.deps.jobs.runNow(CASE_SWEEP_JOB), b.app.deps.jobs.runNow(CASE_SWEEP_JOB)]);
    c = await caseOf(a, id);
    expect(c.status).toBe('escalated');
    expect(c.overdue).toBe(true);
    // The resolution warning fell while the case sat between processes; only its escalation is due now.
    expect(timerEvents(c)).toEqual(['warned', 'escalated', 'escalated']);
    // Rationale: five server boots (two with BullMQ) take well over the default 30 s on a busy 2-core host.
  }, 180_000);
});
