/** Two server nodes on one Postgres and one Redis: a call on one reaches a watcher on the other. */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, nextEvent, request } from '../helpers/socket.ts';
import { bearer, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from '../helpers/test-app.ts';

let db: TestDatabase;
let a: TestApp;
let b: TestApp;
let hall: Hall;
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const redisPrefix = `yct-2n-${randomBytes(4).toString('hex')}`;
  a = await createTestApp({ database: db, redis: true, redisPrefix, listen: true });
  b = await createTestApp({ database: db, redis: true, redisPrefix, listen: true });
  hall = await createHall(a);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await a?.close();
  await b?.close();
  await db?.drop();
});

describe('several nodes behind a load balancer', () => {
  it('delivers a call made on node A to a board and a phone connected to node B, numbering one sequence', async () => {
    const board = await connect(b.url, '/hall');
    const phone = await connect(b.url, '/hall');
    sockets.push(board, phone);
    await request(board, 'site:watch', { siteId: hall.siteId });
    const ticket = await a.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    await request(phone, 'ticket:watch', { ticketId: ticket.body.id, accessToken: ticket.body.accessToken });
    const seen: number[] = [];
    board.onAny((_name, e: { seq?: number }) => typeof e?.seq === 'number' && seen.push(e.seq));
    const onBoard = nextEvent(board, 'ticket.called', (e: any) => e.ticketId === ticket.body.id);
    const onPhone = nextEvent(phone, 'ticket.updated', (e: any) => e.ticket.id === ticket.body.id && e.ticket.status === 'called');
    await a.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk));
    await a.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    const called = await onBoard;
    expect(called.windowNumber).toBe(1);
    expect((await onPhone).ticket.windowNumber).toBe(1);
    // The board keeps numbering across nodes: the counts after a ticket issued on B come after A's call.
    // (Two nodes' events may arrive slightly out of order; a board treats that as a gap and resyncs.)
    const afterB = nextEvent(board, 'queue.changed', (e: any) => e.waiting.A === 1 && e.seq > called.seq);
    await b.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    await afterB;
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('reports Redis on /health of each node', async () => {
    for (const node of [a, b]) {
      const h = await node.api('GET', '/health');
      expect(h.body).toEqual({ status: 'ok', db: 'up', redis: 'up' });
    }
  });
});
