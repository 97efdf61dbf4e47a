import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, login, residentId, STAFF_PASSWORD, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { httpJson, startServerProcess } from '../helpers/server-process.ts';
import { bearer, createTestApp, createTestDatabase, databaseEnv, type TestApp } from '../helpers/test-app.ts';

const clock = manualClock(Date.parse('2026-11-23T09:00:00+08:00'));
let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp({ clock, listen: true, config: { staffTokenTtlMin: 60, rateLimit: { ticketsPerMinPerIp: 1000, bookingsPerMinPerIp: 1000, bookingsPerDayPerPerson: 100, maxActiveAppointmentsPerPerson: 3, casesPerHourPerIp: 100, loginFailuresBeforeLockout: 3, loginsPerMinPerIp: 1000 } } });
  hall = await createHall(t);
});
afterAll(async () => t?.close());

describe('staff credentials', () => {
  it('stores passwords with a memory-hard hash, never in clear', async () => {
    const rows = (await t.app.deps.db.execute(sql`SELECT password_hash FROM staff WHERE username = 'clerk'`)) as unknown as { rows: { password_hash: string }[] };
    expect(rows.rows[0]?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(rows.rows[0]?.password_hash).not.toContain(STAFF_PASSWORD);
  });

  it('locks an account after repeated failures, even against the right password, then lets it in', async () => {
    for (let i = 0; i < 3; i++) expect((await t.api('POST', '/auth/login', { username: 'clerk2', password: 'wrong' })).status).toBe(401);
    const locked = await t.api('POST', '/auth/login', { username: 'clerk2', password: STAFF_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('LOCKED_OUT');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(2 * 60_000);
    expect((await t.api('POST', '/auth/login', { username: 'clerk2', password: STAFF_PASSWORD })).status).toBe(200);
  });

  it('refuses a token after logout and after it expires', async () => {
    const token = await login(t, 'supervisor');
    expect((await t.api('GET', '/auth/me', undefined, bearer(token))).status).toBe(200);
    expect((await t.api('POST', '/auth/logout', undefined, bearer(token))).status).toBe(204);
    expect((await t.api('GET', '/auth/me', undefined, bearer(token))).status).toBe(401);
    const later = await login(t, 'supervisor');
    clock.advance(61 * 60_000);
    const expired = await t.api('GET', '/auth/me', undefined, bearer(later));
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('UNAUTHENTICATED');
    hall.tokens.clerk = await login(t, 'clerk');
    hall.tokens.otherClerk = await login(t, 'otherclerk');
    hall.tokens.supervisor = await login(t, 'supervisor');
    hall.tokens.expert = await login(t, 'expert');
  });
});

describe('site and role checks', () => {
  it('keeps a clerk of another site from calling, reading or watching this one', async () => {
    const other = bearer(hall.tokens.otherClerk);
    expect((await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, other)).status).toBe(403);
    expect((await t.api('GET', `/sites/${hall.siteId}/queue`, undefined, other)).status).toBe(403);
    const issued = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    expect((await t.api('GET', `/tickets/${issued.body.id}`, undefined, other)).status).toBe(403);
    expect((await t.api('POST', `/tickets/${issued.body.id}/cancel`, undefined, other)).status).toBe(403);
    const socket = await connect(t.url, '/hall', { token: hall.tokens.otherClerk });
    expect((await request(socket, 'window:attach', { windowId: hall.windows.w1 })).error.code).toBe('FORBIDDEN');
    socket.disconnect();
  });

  it('keeps experts off the counter and clerks out of administration', async () => {
    expect((await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.expert))).status).toBe(403);
    expect((await t.api('POST', '/admin/staff', { username: 'sneaky', password: 'sneaky-pass', displayName: 'x', role: 'admin', siteIds: [] }, bearer(hall.tokens.clerk))).status).toBe(403);
  });
});

describe('audit log', () => {
  it('shows supervisors who opened windows and moved tickets; clerks may not read it; nobody may rewrite it', async () => {
    await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk));
    await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    const res = await t.api('GET', `/sites/${hall.siteId}/audit?limit=50`, undefined, bearer(hall.tokens.supervisor));
    expect(res.status).toBe(200);
    const actions = (res.body as { action: string; actorId: string }[]).map((r) => r.action);
    expect(actions).toContain('window.open');
    expect(actions).toContain('ticket.called');
    expect(res.body.find((r: { action: string }) => r.action === 'window.open').actorId).toBe(hall.staffIds.clerk);
    expect((await t.api('GET', `/sites/${hall.siteId}/audit`, undefined, bearer(hall.tokens.clerk))).status).toBe(403);
    await expect(t.app.deps.db.execute(sql`DELETE FROM audit_log`)).rejects.toThrow();
    await expect(t.app.deps.db.execute(sql`UPDATE ticket_events SET type = 'x'`)).rejects.toThrow();
  });
});

describe('logs', () => {
  it('never carry an id number or a phone number a citizen gave', async () => {
    const db = await createTestDatabase();
    const node = await startServerProcess({ ...databaseEnv(db), LOG_LEVEL: 'debug' });
    try {
      const id = residentId('44030519851215123');
      const phone = '13912345678';
      const admin = { authorization: `Bearer ${(await httpJson(node.url, 'POST', '/auth/login', { username: 'admin', password: 'proc-admin-pass' })).body.token}` };
      const site = (await httpJson(node.url, 'POST', '/admin/sites', { code: 'LOG', name: '日志中心', level: 'district', region: 'SH-QP' }, admin)).body;
      const svc = (await httpJson(node.url, 'POST', `/admin/sites/${site.id}/services`, { code: 'S', name: '居住证办理', category: 'A', complexity: 'general' }, admin)).body;
      const ticket = await httpJson(node.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk', citizen: { name: '李秀英', idNumber: id, phone } });
      expect(ticket.status).toBe(201);
      // A rejected request echoes nothing back into the log either.
      await httpJson(node.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk', citizen: { idNumber: `${id.slice(0, 17)}0`, phone } });
      await httpJson(node.url, 'GET', `/tickets/${ticket.body.id}?t=${ticket.body.accessToken}`);
      await httpJson(node.url, 'POST', '/cases', { siteId: site.id, kind: 'cannotBeDone', description: `办不成 ${phone}`, contact: { name: '李秀英', phone } });
      // All of the log, not what arrived within a fixed while: stop the node and read its output to the end.
      const outputEnded = new Promise((r) => node.child.stdout?.once('close', r));
      await node.stop();
      await outputEnded;
      const log = node.output();
      expect(log).toContain('incoming request');
      expect(log).not.toContain(id);
      expect(log).not.toContain(id.slice(0, 17));
      expect(log).not.toContain(phone);
      expect(log).not.toContain(ticket.body.accessToken);
    } finally {
      await node.stop();
      await db.drop();
    }
  }, 60_000);
});
