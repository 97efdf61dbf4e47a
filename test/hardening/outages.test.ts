/**
 * Dependencies going away: Postgres restarted under load answers 503 UNAVAILABLE meanwhile and leaves no
 * half-written ticket; Redis stopped leaves HTTP and this node's events working, `/health` saying so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { io } from 'socket.io-client';
import { httpJson, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../helpers/private-services.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];

/**
 * Polls until `check` holds. Rationale: 60 s bounds the wait, not the speed: a dependency restarting on a
 * loaded 2-core host, and a pool noticing it, can take many seconds.
 */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setupHall(node: ServerProcess) {
  const admin = { authorization: `Bearer ${(await httpJson(node.url, 'POST', '/auth/login', { username: 'admin', password: 'proc-admin-pass' })).body.token}` };
  const site = (await httpJson(node.url, 'POST', '/admin/sites', { code: 'OUT', name: '演练中心', level: 'district', region: 'SH-QP' }, admin)).body;
  const svc = (await httpJson(node.url, 'POST', `/admin/sites/${site.id}/services`, { code: 'S', name: '居住证办理', category: 'A', complexity: 'general' }, admin)).body;
  return { site, svc, admin };
}

describe('Postgres restarted under load', () => {
  it('answers 503 UNAVAILABLE while it is down, succeeds after, and leaves no half-written ticket', async () => {
    const pgi: PrivatePostgres = await startPrivatePostgres();
    cleanups.push(() => pgi.destroy());
    const node = await startServerProcess({ DATABASE_URL: pgi.url, YC_RATE_TICKETS_PER_MIN: '100000' });
    cleanups.push(() => node.stop('SIGKILL'));
    const { site, svc } = await setupHall(node);
    const issue = () => httpJson(node.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' }).catch(() => ({ status: 0, body: null, headers: new Headers() }));
    const statuses: number[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const r = await issue();
        statuses.push(r.status);
        if (r.status === 503) {
          expect(r.body.error.code).toBe('UNAVAILABLE');
          expect(r.headers.get('retry-after')).toBeTruthy();
        }
      }
    })();
    const health = async () =>
      httpJson(node.url, 'GET', '/health').catch((err: unknown) => {
        throw new Error(`node died while Postgres was down: ${String(err)}\n${node.output().slice(-3000)}`);
      });
    try {
      await until(() => statuses.includes(201), 'tickets issued before the outage');
      pgi.stop();
      // Health says so, and the load is answered 503 meanwhile (once the pool has noticed).
      await until(async () => {
        const h = await health();
        return h.status === 503 && h.body.db === 'down';
      }, '/health to report the database down');
      await until(() => statuses.includes(503), 'a 503 while the database is down');
      pgi.start();
      // The pool reconnects by itself.
      await until(async () => (await issue()).status === 201, 'a ticket issued after the database came back');
    } finally {
      stop = true;
      await load;
    }
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);

    // Every ticket has its issue event and a unique number: nothing half-written.
    const c = new pg.Client({ connectionString: pgi.url });
    await c.connect();
    const orphans = await c.query(`SELECT count(*)::int AS n FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'issued')`);
    const dupes = await c.query(`SELECT number FROM tickets GROUP BY site_id, day, number HAVING count(*) > 1`);
    await c.end();
    expect(orphans.rows[0].n).toBe(0);
    expect(dupes.rows).toEqual([]);
    expect(node.child.exitCode).toBeNull();
    // Rationale: a server boot (up to 60 s on a loaded 2-core host) and waits bounded at 60 s each.
  }, 240_000);
});

describe('Redis stopped', () => {
  it('keeps serving HTTP and local events, reports redis down, and recovers when Redis returns', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const node = await startServerProcess({ DATABASE_URL: db.url, REDIS_URL: redis.url });
    cleanups.push(() => node.stop('SIGKILL'));
    const { site, svc } = await setupHall(node);
    const board = io(`${node.url}/hall`, { transports: ['websocket'] });
    cleanups.push(() => board.disconnect());
    await new Promise<void>((resolve) => board.once('connect', () => resolve()));
    await board.emitWithAck('site:watch', { siteId: site.id });

    await redis.stop();
    // Once the node knows Redis is gone (not a fixed while after), its own events still reach its sockets.
    await until(async () => (await httpJson(node.url, 'GET', '/health')).body.redis === 'down', '/health to report Redis down');
    const heard = new Promise((resolve, reject) => {
      board.once('queue.changed', resolve);
      setTimeout(() => reject(new Error('no local event while Redis is down')), 15_000);
    });
    const issued = await httpJson(node.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' });
    expect(issued.status).toBe(201);
    await heard;
    const down = await httpJson(node.url, 'GET', '/health');
    expect(down.body).toMatchObject({ status: 'degraded', db: 'up', redis: 'down' });

    await redis.start();
    await until(async () => (await httpJson(node.url, 'GET', '/health')).body.redis === 'up', '/health to report Redis up again');
    expect((await httpJson(node.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' })).status).toBe(201);
    // Rationale: a server boot (up to 60 s on a loaded 2-core host) and waits bounded at 60 s each.
  }, 240_000);
});
