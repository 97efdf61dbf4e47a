/**
 * The embedded default (`npm start`: PGlite in a folder, no Redis) killed with SIGKILL while kiosks issue
 * and a clerk calls: restarted on the same folder, it has every ticket it acknowledged, exactly once, with
 * its number, nothing called twice, and it numbers on without repeating. PGlite's files stay consistent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { httpJson, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'yc-crash-embedded-'));
/** The embedded default: no DATABASE_URL, no REDIS_URL, whatever the environment running the tests has. */
const EMBEDDED = { DATABASE_URL: '', REDIS_URL: '', YC_DATA_DIR: dataDir, YC_RATE_TICKETS_PER_MIN: '100000', YC_SECRET: 'crash-embedded-secret' };
const servers: ServerProcess[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function boot(): Promise<ServerProcess> {
  const s = await startServerProcess(EMBEDDED);
  servers.push(s);
  return s;
}

describe('the embedded server killed with SIGKILL under load', () => {
  it('restarts with every acknowledged ticket exactly once and numbers on without repeats', async () => {
    let server = await boot();
    const admin = { authorization: `Bearer ${(await httpJson(server.url, 'POST', '/auth/login', { username: 'admin', password: 'proc-admin-pass' })).body.token}` };
    const site = (await httpJson(server.url, 'POST', '/admin/sites', { code: 'EMB', name: '村居服务站', level: 'village', region: 'SH-QP' }, admin)).body;
    const svc = (await httpJson(server.url, 'POST', `/admin/sites/${site.id}/services`, { code: 'S1', name: '居住证办理', category: 'A', complexity: 'general' }, admin)).body;
    const win = (await httpJson(server.url, 'POST', `/admin/sites/${site.id}/windows`, { number: 1, name: '综合窗口', kind: 'physical', serviceIds: [svc.id] }, admin)).body;
    await httpJson(server.url, 'POST', '/admin/staff', { username: 'emb-clerk', password: 'emb-clerk-pass', displayName: '站点工作人员', role: 'clerk', siteIds: [site.id] }, admin);
    const clerk = { authorization: `Bearer ${(await httpJson(server.url, 'POST', '/auth/login', { username: 'emb-clerk', password: 'emb-clerk-pass' })).body.token}` };
    expect((await httpJson(server.url, 'POST', `/windows/${win.id}/open`, undefined, clerk)).status).toBe(200);

    const acknowledged = new Map<string, string>(); // ticket id → number
    const called = new Set<string>();
    // Collected, not asserted in the loop: the loop's catch is for requests the kill cut off, and would swallow a failed expect.
    const calledTwice: string[] = [];
    let killed = false;
    const issuer = async () => {
      while (!killed) {
        try {
          const r = await httpJson(server.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' }, { 'idempotency-key': randomUUID() });
          if (r.status === 201) acknowledged.set(r.body.id, r.body.number);
        } catch {
          // The process died mid-request: that ticket was never acknowledged.
        }
      }
    };
    const caller = async () => {
      while (!killed) {
        try {
          const r = await httpJson(server.url, 'POST', `/windows/${win.id}/call-next`, undefined, clerk);
          if (r.status === 200 && r.body) {
            if (called.has(r.body.id)) calledTwice.push(r.body.number as string);
            called.add(r.body.id);
            await httpJson(server.url, 'POST', `/tickets/${r.body.id}/start`, undefined, clerk);
            await httpJson(server.url, 'POST', `/tickets/${r.body.id}/finish`, {}, clerk);
          }
        } catch {
          // As above.
        }
      }
    };
    const load = [...Array.from({ length: 6 }, issuer), caller()];
    // Rationale: enough tickets that the kill lands among writes, whatever the host's speed.
    while (acknowledged.size < 150) await new Promise((r) => setTimeout(r, 10));
    server.child.kill('SIGKILL');
    killed = true;
    await server.exited;
    await Promise.all(load);
    expect(calledTwice, 'tickets call-next handed out twice').toEqual([]);
    expect(called.size).toBeGreaterThan(0);

    server = await boot();
    const adminAgain = { authorization: `Bearer ${(await httpJson(server.url, 'POST', '/auth/login', { username: 'admin', password: 'proc-admin-pass' })).body.token}` };
    expect((await httpJson(server.url, 'GET', '/health')).body).toMatchObject({ status: 'ok', db: 'up' });
    for (const [id, number] of acknowledged) {
      const r = await httpJson(server.url, 'GET', `/tickets/${id}`, undefined, adminAgain);
      expect(r.status, `acknowledged ticket ${number} after the restart`).toBe(200);
      expect(r.body.number).toBe(number);
      if (called.has(id)) expect(r.body.status).not.toBe('waiting');
    }
    expect(new Set(acknowledged.values()).size).toBe(acknowledged.size);

    // Numbering goes on after the highest number handed out before the crash.
    const next = await httpJson(server.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' });
    expect(next.status).toBe(201);
    const highest = Math.max(...[...acknowledged.values()].map((n) => Number(n.slice(1))));
    expect(Number(next.body.number.slice(1))).toBeGreaterThan(highest);
    expect([...acknowledged.values()]).not.toContain(next.body.number);
    // Rationale: two boots of the embedded server (WASM Postgres start, migrations) on a loaded 2-core host.
  }, 180_000);
});
