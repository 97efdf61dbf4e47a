/**
 * Counts carried by calls, across two nodes: each node leaves out the `queue.changed` that would repeat its
 * own call's counts only while no other node's event came since, so boards on either node end every burst
 * with the hall's real counts and a seq stream without gaps.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { bearer, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from '../helpers/test-app.ts';

/** Rationale: several coalescing windows (250 ms) after the last change: every send due is out. */
const QUIET_MS = 1_500;
const STEPS = 40;

interface SiteEvent { name: string; seq: number; waiting: Record<string, number> }

let db: TestDatabase;
let a: TestApp;
let b: TestApp;
let hall: Hall;
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const redisPrefix = `yct-cc-${randomBytes(4).toString('hex')}`;
  const env = { YC_RATE_TICKETS_PER_MIN: '100000' };
  a = await createTestApp({ database: db, redis: true, redisPrefix, listen: true, env });
  b = await createTestApp({ database: db, redis: true, redisPrefix, listen: true, env });
  hall = await createHall(a);
  await a.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk));
  await b.api('POST', `/windows/${hall.windows.w2}/open`, undefined, bearer(hall.tokens.clerk2));
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await a?.close();
  await b?.close();
  await db?.drop();
});

async function board(node: TestApp, countsInCalls: boolean): Promise<{ events: SiteEvent[]; seq: number; countsInCalls: boolean }> {
  const socket = await connect(node.url, '/hall');
  sockets.push(socket);
  const events: SiteEvent[] = [];
  for (const name of ['ticket.called', 'queue.changed']) socket.on(name, (e: SiteEvent) => events.push({ name, seq: e.seq, waiting: e.waiting }));
  const watched = await request(socket, 'site:watch', { siteId: hall.siteId, countsInCalls });
  return { events, seq: watched.data.seq, countsInCalls };
}

/**
 * The counts a board shows: those of the last event it applied by seq (sorting keeps arrival order within
 * one seq). A board that did not ask reads counts only from queue.changed.
 */
const shown = (events: SiteEvent[], countsInCalls: boolean) =>
  events.filter((e) => countsInCalls || e.name === 'queue.changed').sort((x, y) => x.seq - y.seq).at(-1)?.waiting;

describe('countsInCalls across two nodes', () => {
  it('ends a mixed burst of issues and calls on both nodes with the real counts on every board, no gap', async () => {
    const boards = [await board(a, true), await board(b, true), await board(a, false), await board(b, false)];
    let calls = 0;
    // Issues and calls on both nodes, a few at a time, so the nodes' events interleave.
    const ops = Array.from({ length: STEPS }, (_v, k) => async () => {
      const node = k % 2 ? b : a;
      if (k % 3 === 2) {
        const [window, token] = node === a ? [hall.windows.w1, hall.tokens.clerk] : [hall.windows.w2, hall.tokens.clerk2];
        const r = await node.api('POST', `/windows/${window}/call-next`, undefined, bearer(token));
        // 204: the issues running beside it had not committed yet, so nobody was waiting there.
        expect([200, 204]).toContain(r.status);
        if (r.status === 200) calls++;
      } else {
        const r = await node.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: k % 4 ? hall.services.general : hall.services.other, channel: 'kiosk' });
        expect(r.status).toBe(201);
      }
    });
    for (let k = 0; k < ops.length; k += 3) await Promise.all(ops.slice(k, k + 3).map((op) => op()));
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const framesBefore = boards.map((x) => x.events.length);
    // Then calls alone, on one node and the other, as a hall between kiosk rushes.
    for (const [node, window, token] of [[a, hall.windows.w1, hall.tokens.clerk], [b, hall.windows.w2, hall.tokens.clerk2], [a, hall.windows.w1, hall.tokens.clerk]] as const) {
      expect((await node.api('POST', `/windows/${window}/call-next`, undefined, bearer(token))).status).toBe(200);
      calls++;
      await new Promise((r) => setTimeout(r, 400));
    }
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(calls).toBeGreaterThan(STEPS / 6);

    const real = (await a.api('GET', `/sites/${hall.siteId}/board`)).body.waiting as Record<string, number>;
    expect(Object.values(real).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    for (const [i, { events, seq, countsInCalls }] of boards.entries()) {
      expect(shown(events, countsInCalls), `board ${i}`).toEqual(real);
      // No gap: every seq from the watch on arrived (a legacy board also gets repeats under a call's seq).
      const seqs = [...new Set(events.map((e) => e.seq))].sort((x, y) => x - y);
      expect(seqs, `board ${i}`).toEqual(seqs.map((_s, j) => seq + 1 + j));
    }
    // Over the calls alone, a board that reads counts from calls got one frame a call; the others two.
    expect(boards.map((x, i) => x.events.length - (framesBefore[i] ?? 0))).toEqual([3, 3, 6, 6]);
  });
});
