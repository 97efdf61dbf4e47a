/**
 * Two nodes issuing at once still send boards at most one `queue.changed` per coalescing window between them
 * (each node used to keep a window of its own, so boards got twice as many), and the last carries the final counts.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, nextEvent, request } from '../helpers/socket.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from '../helpers/test-app.ts';

/** The window of server/src/events/hall-events.ts. */
const WINDOW_MS = 250;
/** Rationale: long enough for many windows, so twice the rate shows clearly. */
const ISSUING_MS = 2_500;

let db: TestDatabase;
let a: TestApp;
let b: TestApp;
let hall: Hall;
let board: Socket | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  const redisPrefix = `yct-qc-${randomBytes(4).toString('hex')}`;
  const env = { YC_RATE_TICKETS_PER_MIN: '100000' };
  a = await createTestApp({ database: db, redis: true, redisPrefix, listen: true, env });
  b = await createTestApp({ database: db, redis: true, redisPrefix, listen: true, env });
  hall = await createHall(a);
});
afterAll(async () => {
  board?.disconnect();
  await a?.close();
  await b?.close();
  await db?.drop();
});

describe('queue.changed across two nodes', () => {
  it('sends at most one per window between the nodes, the last with the final counts', async () => {
    board = await connect(a.url, '/hall');
    await request(board, 'site:watch', { siteId: hall.siteId });
    const seen: { waiting: Record<string, number> }[] = [];
    board.on('queue.changed', (e: { waiting: Record<string, number> }) => seen.push(e));
    const t0 = performance.now();
    let issued = 0;
    // Both nodes issue throughout, so both always have a change waiting to be sent.
    await Promise.all([a, b].map(async (node) => {
      while (performance.now() - t0 < ISSUING_MS) {
        const r = await node.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
        expect(r.status).toBe(201);
        issued++;
      }
    }));
    await nextEvent(board, 'queue.changed', (e: { waiting: Record<string, number> }) => e.waiting.A === issued);
    const elapsed = performance.now() - t0;
    // Each send claims a window first, and the first comes a window after the first change: k sends need k windows.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.length).toBeLessThanOrEqual(Math.floor(elapsed / WINDOW_MS));
    expect(seen.at(-1)?.waiting.A).toBe(issued);
  });
});
