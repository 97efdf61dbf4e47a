/** SIGTERM drains: requests in flight complete, sockets hear a reconnect hint, the process exits cleanly. */
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { httpJson, startServerProcess } from '../helpers/server-process.ts';
import { createTestDatabase } from '../helpers/test-app.ts';

describe('graceful shutdown', () => {
  it('finishes in-flight requests, tells sockets to reconnect, and exits 0', async () => {
    const db = await createTestDatabase();
    const node = await startServerProcess({ DATABASE_URL: db.url, YC_RATE_TICKETS_PER_MIN: '100000' });
    try {
      const admin = { authorization: `Bearer ${(await httpJson(node.url, 'POST', '/auth/login', { username: 'admin', password: 'proc-admin-pass' })).body.token}` };
      const site = (await httpJson(node.url, 'POST', '/admin/sites', { code: 'TERM', name: '停机中心', level: 'district', region: 'SH-QP' }, admin)).body;
      const svc = (await httpJson(node.url, 'POST', `/admin/sites/${site.id}/services`, { code: 'S', name: '居住证办理', category: 'A', complexity: 'general' }, admin)).body;
      const socket = io(`${node.url}/hall`, { transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const hint = new Promise<{ reconnectInMs: number }>((resolve) => socket.once('server.restarting', resolve));

      const inFlight = Array.from({ length: 20 }, () => httpJson(node.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' }));
      // SIGTERM once the server has taken one of them (its request log says so), not after a fixed few ms: on a
      // loaded host none may have arrived yet, and then none is in flight to finish.
      const ticketRequestsSeen = () => node.output().split('\n').filter((l) => l.includes('incoming request') && l.includes(`/sites/${site.id}/tickets`)).length;
      for (const deadline = Date.now() + 30_000; ticketRequestsSeen() === 0; ) {
        if (Date.now() > deadline) throw new Error(`no ticket request reached the server:\n${node.output()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      node.child.kill('SIGTERM');
      const answers = await Promise.all(inFlight.map((p) => p.then((r) => r, () => null)));
      const results = answers.map((r) => (r ? r.status : 'refused'));
      // Every request that reached the server was answered: served, or told plainly to retry elsewhere.
      expect(results.filter((s) => s !== 201 && s !== 503 && s !== 'refused')).toEqual([]);
      for (const r of answers) if (r?.status === 503) expect(r.body.error.code).toBe('UNAVAILABLE');
      expect(results).toContain(201);
      expect((await hint).reconnectInMs).toBeGreaterThan(0);
      expect(await node.exited).toBe(0);
      socket.disconnect();
    } finally {
      await node.stop('SIGKILL');
      await db.drop();
    }
    // Rationale: a server process boots in up to 60 s on a loaded 2-core host (startServerProcess's own bound).
  }, 180_000);
});
