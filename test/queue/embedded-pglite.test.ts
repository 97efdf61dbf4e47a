/** The embedded default: no DATABASE_URL, no REDIS_URL — PGlite in a folder runs the main path. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import type { FastifyInstance } from 'fastify';

let dir: string;
let app: FastifyInstance;

async function api(method: 'GET' | 'POST', url: string, body?: unknown, token?: string) {
  const res = await app.inject({ method, url: `/api/v1${url}`, ...(body ? { payload: body as object } : {}), headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'yc-pglite-'));
  const config = loadConfig({ YC_DATA_DIR: dir, YC_DEMO_SEED: '0', YC_ADMIN_PASSWORD: 'pglite-admin-pass', YC_SECRET: 'pglite-test-secret-0123' });
  expect(config.databaseUrl).toBeUndefined();
  app = await buildApp({ config, startJobs: false });
});
afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PGlite smoke run', () => {
  it('migrates, issues, calls and finishes a ticket, and reports its health', async () => {
    expect(app.deps.database.kind).toBe('pglite');
    const admin = (await api('POST', '/auth/login', { username: 'admin', password: 'pglite-admin-pass' })).body.token;
    const site = (await api('POST', '/admin/sites', { code: 'PG', name: '嵌入式中心', level: 'village', region: 'SH-QP' }, admin)).body;
    const svc = (await api('POST', `/admin/sites/${site.id}/services`, { code: 'S', name: '社保卡补办', category: 'A', complexity: 'general' }, admin)).body;
    const win = (await api('POST', `/admin/sites/${site.id}/windows`, { number: 1, name: '代办窗口', kind: 'physical', serviceIds: [svc.id] }, admin)).body;
    const first = await api('POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' });
    const second = await api('POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk', priority: 'elderly' });
    expect([first.body.number, second.body.number]).toEqual(['A001', 'A002']);
    expect((await api('POST', `/windows/${win.id}/open`, undefined, admin)).status).toBe(200);
    // The elderly citizen's deadline is earlier, so SKIP LOCKED + EDF picks them first on PGlite too.
    const called = await api('POST', `/windows/${win.id}/call-next`, undefined, admin);
    expect(called.body.number).toBe('A002');
    expect((await api('POST', `/tickets/${called.body.id}/start`, undefined, admin)).body.status).toBe('serving');
    expect((await api('POST', `/tickets/${called.body.id}/finish`, {}, admin)).body.status).toBe('done');
    expect((await api('GET', '/health')).body).toEqual({ status: 'ok', db: 'up', redis: 'none' });
  });
});
