/**
 * `kill -9` of one of two nodes (one Postgres, one Redis) in the middle of sustained issuing and calling:
 * every acknowledged ticket exists exactly once, no ticket is in two windows, numbers never repeat, the
 * survivor carries on, and a board connected to the dead node reconnects to the other and catches up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';
import { httpJson, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

let db: TestDatabase;

/** Polls until `check` holds. Rationale: 60 s bounds the wait, not the speed; two nodes on a loaded 2-core host are slow. */
async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
let a: ServerProcess;
let b: ServerProcess;
const prefix = `yct-crash-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), YC_REDIS_PREFIX: prefix, YC_RATE_TICKETS_PER_MIN: '100000', YC_SECRET: 'crash-test-secret' };
  a = await startServerProcess(env);
  b = await startServerProcess(env);
}, 120_000);
afterAll(async () => {
  await a?.stop('SIGKILL');
  await b?.stop();
  await db?.drop();
});

describe('a node killed with SIGKILL under load', () => {
  it('loses no acknowledged ticket, duplicates none, and the survivor carries on', async () => {
    const admin = { authorization: `Bearer ${(await httpJson(a.url, 'POST', '/auth/login', { username: 'admin', password: 'proc-admin-pass' })).body.token}` };
    const site = (await httpJson(a.url, 'POST', '/admin/sites', { code: 'CRASH', name: '故障演练中心', level: 'district', region: 'SH-QP' }, admin)).body;
    const svc = (await httpJson(a.url, 'POST', `/admin/sites/${site.id}/services`, { code: 'S1', name: '社保卡补办', category: 'A', complexity: 'general' }, admin)).body;
    const windows: { id: string; token: string; node: ServerProcess }[] = [];
    for (let w = 0; w < 6; w++) {
      const win = (await httpJson(a.url, 'POST', `/admin/sites/${site.id}/windows`, { number: w + 1, name: `窗口${w + 1}`, kind: 'physical', serviceIds: [svc.id] }, admin)).body;
      await httpJson(a.url, 'POST', '/admin/staff', { username: `crash-clerk-${w}`, password: 'crash-clerk-pass', displayName: `c${w}`, role: 'clerk', siteIds: [site.id] }, admin);
      const token = (await httpJson(a.url, 'POST', '/auth/login', { username: `crash-clerk-${w}`, password: 'crash-clerk-pass' })).body.token as string;
      const node = w % 2 === 0 ? a : b;
      expect((await httpJson(node.url, 'POST', `/windows/${win.id}/open`, undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
      windows.push({ id: win.id, token, node });
    }

    // A board on node A, following the site.
    const board = io(`${a.url}/hall`, { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300 });
    // A board that watches without countsInCalls: each call's queue.changed may repeat the call's seq
    // (docs/socket-events.md), so seqs are unique within each event, and the two streams together are what it heard.
    const calledSeqs: number[] = [];
    const changedSeqs: number[] = [];
    const seqs: number[] = [];
    board.on('ticket.called', (e: { seq: number }) => (calledSeqs.push(e.seq), seqs.push(e.seq)));
    board.on('queue.changed', (e: { seq: number }) => (changedSeqs.push(e.seq), seqs.push(e.seq)));
    // Watching, as far as the test knows: the site:watch of the current connection was acknowledged.
    let watching = false;
    board.on('disconnect', () => (watching = false));
    board.on('connect', () => void board.emitWithAck('site:watch', { siteId: site.id }).then(() => (watching = board.connected), () => undefined));
    await until(() => watching, 'the board watching on node A');

    const acknowledged = new Map<string, string>(); // ticket id → number
    const calledBy = new Map<string, string>();
    const doubleCalls: string[] = [];
    let aDead = false;
    let stop = false;

    // Issuers: a kiosk retries with the same Idempotency-Key on the other node when its node fails.
    const issuer = async (k: number) => {
      for (let i = 0; !stop; i++) {
        const key = `crash-${k}-${i}-${randomUUID()}`;
        const first = k % 2 === 0 && !aDead ? a : b;
        for (const node of [first, b]) {
          try {
            const r = await httpJson(node.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' }, { 'idempotency-key': key });
            if (r.status === 201) {
              const prior = acknowledged.get(r.body.id);
              if (prior && prior !== r.body.number) doubleCalls.push(`ticket ${r.body.id} acknowledged with two numbers`);
              acknowledged.set(r.body.id, r.body.number);
              break;
            }
          } catch {
            // Connection refused or reset: the node died; retry on the survivor with the same key.
          }
        }
      }
    };
    const caller = async (w: (typeof windows)[number]) => {
      while (!stop) {
        const node = w.node === a && aDead ? b : w.node;
        try {
          const r = await httpJson(node.url, 'POST', `/windows/${w.id}/call-next`, undefined, { authorization: `Bearer ${w.token}` });
          if (r.status === 200) {
            if (calledBy.has(r.body.id)) doubleCalls.push(`${r.body.id} called by ${calledBy.get(r.body.id)} and ${w.id}`);
            calledBy.set(r.body.id, w.id);
          } else {
            await new Promise((res) => setTimeout(res, 20));
          }
        } catch {
          await new Promise((res) => setTimeout(res, 20));
        }
      }
    };
    const load = [...[0, 1, 2, 3].map(issuer), ...windows.map(caller)];

    try {
      // Kill in the middle of the load: once tickets are being issued and called on both nodes.
      await until(() => acknowledged.size >= 20 && calledBy.size >= 6, 'the load to get going');
      a.child.kill('SIGKILL');
      aDead = true;
      // The board's load balancer now sends it to node B.
      (board.io as unknown as { uri: string }).uri = b.url;
      const beforeKillCount = acknowledged.size;
      const calledBeforeKill = calledBy.size;
      // The survivor carries on: it issues and calls well past what was done before the kill.
      await until(() => acknowledged.size >= beforeKillCount + 20 && calledBy.size >= calledBeforeKill + 6, 'the survivor to carry on');
    } finally {
      stop = true;
      await Promise.all(load);
    }

    expect(await a.exited).toBe('SIGKILL');
    expect(doubleCalls).toEqual([]);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = (await client.query('SELECT id, number, status, window_id FROM tickets WHERE site_id = $1', [site.id])).rows as { id: string; number: string; status: string; window_id: string | null }[];
    const calls = (await client.query(`SELECT ticket_id, count(*)::int AS n FROM ticket_events WHERE site_id = $1 AND type = 'called' GROUP BY ticket_id HAVING count(*) > 1`, [site.id])).rows;
    await client.end();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [id, number] of acknowledged) {
      expect(byId.get(id)?.number, `acknowledged ticket ${number} missing`).toBe(number);
    }
    expect(new Set(rows.map((r) => r.number)).size).toBe(rows.length);
    expect(calls).toEqual([]);
    for (const [id, windowId] of calledBy) expect(byId.get(id)?.window_id).toBe(windowId);

    // The board found node B and hears its events. Seqs are unique across nodes; two nodes' events may
    // arrive slightly out of order, which a board treats like a gap (a resync), so only uniqueness is asserted.
    await until(() => watching, 'the board to reconnect to node B and watch the site again');
    const heard = seqs.length;
    await httpJson(b.url, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' });
    await until(() => seqs.length > heard, "the board to hear node B's event");
    expect(board.connected).toBe(true);
    expect(new Set(calledSeqs).size).toBe(calledSeqs.length);
    expect(new Set(changedSeqs).size).toBe(changedSeqs.length);
    // A gap tells the board to resync: the full state is one GET away on the survivor.
    const state = await httpJson(b.url, 'GET', `/sites/${site.id}/board`);
    expect(state.body.seq).toBeGreaterThanOrEqual(Math.max(...seqs));
    board.disconnect();
  }, 180_000);
});
