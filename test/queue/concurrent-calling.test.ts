/**
 * 20 windows call at once over 2,000 waiting tickets: every ticket is called exactly once, and each call
 * took the earliest-deadline eligible ticket at that instant (checked against the pure core's order).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareForCalling } from '../../server/src/queue/core/index.ts';
import { login, STAFF_PASSWORD } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

const WINDOWS = 20;
const TICKETS = 2_000;

let t: TestApp;
let siteId: string;
const windowIds: string[] = [];
const windowServices = new Map<string, string[]>();
const clerkTokens: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const admin = bearer(await login(t, t.config.adminUser, t.config.adminPassword));
  const site = (await t.api('POST', '/admin/sites', { code: 'LOAD', name: '压力测试中心', level: 'district', region: 'SH-QP' }, admin)).body;
  siteId = site.id;
  const services: string[] = [];
  for (let i = 0; i < 4; i++) {
    const s = await t.api('POST', `/admin/sites/${siteId}/services`, { code: `S${i}`, name: `事项${i}`, category: 'ABCD'[i], complexity: i % 2 ? 'complex' : 'general' }, admin);
    services.push(s.body.id);
  }
  // Overlapping service sets: comprehensive windows and specialised ones compete for the same tickets.
  const staffIds: string[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const serving = w % 4 === 0 ? services : [services[w % 4] as string, services[(w + 1) % 4] as string];
    const res = await t.api('POST', `/admin/sites/${siteId}/windows`, { number: w + 1, name: `窗口${w + 1}`, kind: 'physical', serviceIds: serving }, admin);
    windowIds.push(res.body.id);
    windowServices.set(res.body.id, serving);
    const clerk = await t.api('POST', '/admin/staff', { username: `load-clerk-${w}`, password: STAFF_PASSWORD, displayName: `clerk ${w}`, role: 'clerk', siteIds: [siteId] }, admin);
    staffIds.push(clerk.body.id);
  }
  for (let w = 0; w < WINDOWS; w++) {
    const token = await login(t, `load-clerk-${w}`);
    clerkTokens.push(token);
    expect((await t.api('POST', `/windows/${windowIds[w]}/open`, undefined, bearer(token))).status).toBe(200);
  }
  // 2,000 waiting tickets inserted directly (issuing them one by one over HTTP is the bench's job):
  // a mix of services, priorities and issue times so deadlines interleave.
  const base = Date.now() - 3_600_000;
  await t.app.deps.db.execute(sql`
    INSERT INTO tickets (site_id, service_id, day, number, status, priority, channel, issued_at, wait_anchor_at, due_at, access_token_hash)
    SELECT ${siteId}, (ARRAY[${sql.join(services.map((s) => sql`${s}::uuid`), sql`, `)}])[1 + (g % 4)], CURRENT_DATE, 'L' || lpad(g::text, 4, '0'), 'waiting',
           CASE WHEN g % 7 = 0 THEN 'elderly' ELSE 'normal' END, 'kiosk',
           to_timestamp(${base / 1000} + g * 1.5), to_timestamp(${base / 1000} + g * 1.5),
           to_timestamp(${base / 1000} + g * 1.5 + (CASE WHEN g % 4 IN (1,3) THEN 3600 ELSE 1800 END) - (CASE WHEN g % 7 = 0 THEN 600 ELSE 0 END)),
           'h' || g
    FROM generate_series(1, ${TICKETS}) AS g`);
});
afterAll(async () => t?.close());

describe('20 windows calling concurrently over 2,000 waiting tickets', () => {
  it('calls every ticket exactly once, each time the earliest-deadline eligible one', async () => {
    interface Waiting { id: string; serviceId: string; dueAt: number; issuedAt: number }
    const snapshot = (await t.app.deps.db.execute(sql`SELECT id, service_id, due_at, issued_at FROM tickets WHERE site_id = ${siteId} AND status = 'waiting'`)) as unknown as { rows: { id: string; service_id: string; due_at: string | Date; issued_at: string | Date }[] };
    const waiting = new Map<string, Waiting>(snapshot.rows.map((r) => [r.id, { id: r.id, serviceId: r.service_id, dueAt: new Date(r.due_at).getTime(), issuedAt: new Date(r.issued_at).getTime() }]));
    expect(waiting.size).toBe(TICKETS);

    interface Call { windowId: string; ticketId: string; sentAt: number; receivedAt: number }
    const calls: Call[] = [];
    // Each window calls again and again until nothing is left for it.
    await Promise.all(
      windowIds.map(async (windowId, w) => {
        const auth = bearer(clerkTokens[w] as string);
        for (;;) {
          const sentAt = performance.now();
          const res = await t.api('POST', `/windows/${windowId}/call-next`, undefined, auth);
          const receivedAt = performance.now();
          if (res.status === 204) break;
          expect(res.status).toBe(200);
          calls.push({ windowId, ticketId: res.body.id, sentAt, receivedAt });
        }
      }),
    );
    const violations: string[] = [];
    const takenBy = new Map<string, Call>();
    for (const c of calls) {
      const prior = takenBy.get(c.ticketId);
      if (prior) violations.push(`${c.ticketId} called by ${prior.windowId} and ${c.windowId}`);
      takenBy.set(c.ticketId, c);
    }
    // Earliest deadline at that instant: no ticket this window could serve, earlier in calling order, was
    // free for the whole of the call. A ticket whose own call overlapped ours may have been locked by that
    // window (SKIP LOCKED rightly passes over it), so only tickets taken by a call that started after ours
    // had answered count as violations.
    for (const c of calls) {
      const got = waiting.get(c.ticketId) as Waiting;
      const serves = windowServices.get(c.windowId) ?? [];
      for (const x of waiting.values()) {
        if (x.id === got.id || !serves.includes(x.serviceId) || compareForCalling(x, got) >= 0) continue;
        const xTaken = takenBy.get(x.id);
        if (xTaken && xTaken.sentAt > c.receivedAt) violations.push(`window ${c.windowId} took ${got.id} while ${x.id} was earlier and free`);
      }
    }
    expect(calls.length).toBe(TICKETS);
    expect(takenBy.size).toBe(TICKETS);
    expect(violations).toEqual([]);
    const left = (await t.app.deps.db.execute(sql`SELECT count(*)::int AS n FROM tickets WHERE site_id = ${siteId} AND status <> 'called'`)) as unknown as { rows: { n: number }[] };
    expect(left.rows[0]?.n).toBe(0);
    const events = (await t.app.deps.db.execute(sql`SELECT count(*)::int AS n FROM ticket_events WHERE site_id = ${siteId} AND type = 'called'`)) as unknown as { rows: { n: number }[] };
    expect(events.rows[0]?.n).toBe(TICKETS);
  }, 300_000);
});
