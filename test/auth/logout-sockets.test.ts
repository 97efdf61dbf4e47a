/**
 * Signing out cuts off live events (issue #14 item 5): the session's `/hall` sockets are dropped at once, on
 * every node, and a connection that dropped and comes back within the recovery window is refused when its
 * session was revoked meanwhile (socket.io's connection-state recovery used to skip the token check). A
 * password change (which ends every session of the account) and a token's expiry drop them too.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, login, STAFF_PASSWORD, type Hall } from '../helpers/fixtures.ts';
import { connect, nextEvent, request } from '../helpers/socket.ts';
import { bearer, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from '../helpers/test-app.ts';

let db: TestDatabase;
let a: TestApp;
let b: TestApp;
let hall: Hall;
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const redisPrefix = `yct-lo-${randomBytes(4).toString('hex')}`;
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

/** Recovery resumes from the last broadcast a client received, so the client first gets one. */
async function receiveABroadcast(socket: Socket) {
  await request(socket, 'site:watch', { siteId: hall.siteId });
  const changed = nextEvent(socket, 'queue.changed');
  await a.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
  await changed;
}

const dropped = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

describe('signing out', () => {
  it('drops the session\'s sockets on this node and on another, and no other session\'s', async () => {
    const token = await login(a, 'clerk');
    const other = await login(a, 'clerk');
    const here = await connect(a.url, '/hall', { token });
    const there = await connect(b.url, '/hall', { token });
    const otherSession = await connect(b.url, '/hall', { token: other });
    sockets.push(here, there, otherSession);
    await request(there, 'window:attach', { windowId: hall.windows.w1 });
    const goneHere = dropped(here);
    const goneThere = dropped(there);
    expect((await a.api('POST', '/auth/logout', undefined, bearer(token))).status).toBe(204);
    expect(await goneHere).toBe('io server disconnect');
    expect(await goneThere).toBe('io server disconnect');
    expect(otherSession.connected).toBe(true);
    // The same token cannot connect again.
    await expect(connect(a.url, '/hall', { token })).rejects.toThrow('UNAUTHENTICATED');
    await expect(connect(b.url, '/hall', { token })).rejects.toThrow('UNAUTHENTICATED');
  });

  it('refuses to recover a dropped connection whose session was signed out meanwhile', async () => {
    const token = await login(a, 'clerk');
    const socket = io(`${a.url}/hall`, { transports: ['websocket'], forceNew: true, auth: { token }, reconnectionDelay: 1000, randomizationFactor: 0 });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await receiveABroadcast(socket);
    const outcome = new Promise<string>((resolve) => {
      socket.once('connect', () => resolve(socket.recovered ? 'recovered' : 'connected'));
      socket.once('connect_error', (err) => resolve(`refused ${err.message}`));
    });
    // The transport drops (a lift, a tunnel); the clerk signs out on another device before it returns.
    socket.io.engine.close();
    expect((await a.api('POST', '/auth/logout', undefined, bearer(token))).status).toBe(204);
    expect(await outcome).toBe('refused UNAUTHENTICATED');
    socket.disconnect();
  });

  it('still recovers a dropped connection whose session is valid', async () => {
    const token = await login(a, 'clerk');
    const socket = io(`${a.url}/hall`, { transports: ['websocket'], forceNew: true, auth: { token }, reconnectionDelay: 1000, randomizationFactor: 0 });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await receiveABroadcast(socket);
    const back = new Promise<boolean>((resolve) => socket.once('connect', () => resolve(socket.recovered)));
    socket.io.engine.close();
    expect(await back).toBe(true);
    socket.disconnect();
  });
});

describe('a password change', () => {
  it('drops every socket of the account on this node and on another; the new session connects', async () => {
    const token = await login(a, 'clerk2');
    const other = await login(a, 'clerk2');
    const here = await connect(a.url, '/hall', { token });
    const there = await connect(b.url, '/hall', { token: other });
    const bystander = await connect(b.url, '/hall', { token: await login(a, 'clerk') });
    sockets.push(here, there, bystander);
    const goneHere = dropped(here);
    const goneThere = dropped(there);
    const changed = await a.api('POST', '/auth/password', { username: 'clerk2', password: STAFF_PASSWORD, newPassword: 'clerk-two-new-pass' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await goneHere).toBe('io server disconnect');
    expect(await goneThere).toBe('io server disconnect');
    expect(bystander.connected).toBe(true);
    await expect(connect(b.url, '/hall', { token: other })).rejects.toThrow('UNAUTHENTICATED');
    const fresh = await connect(b.url, '/hall', { token: changed.body.token });
    sockets.push(fresh);
    expect(fresh.connected).toBe(true);
  });
});

describe('a token that expires', () => {
  it('drops its sockets on every node within seconds, and no unexpired session\'s', async () => {
    // Two more nodes on one business clock, moved by hand past the token's lifetime.
    const clock = manualClock(Date.now());
    const redisPrefix = `yct-ex-${randomBytes(4).toString('hex')}`;
    const c = await createTestApp({ database: db, redis: true, redisPrefix, listen: true, clock, env: { YC_STAFF_TOKEN_TTL_MIN: '60' } });
    const d = await createTestApp({ database: db, redis: true, redisPrefix, listen: true, clock, env: { YC_STAFF_TOKEN_TTL_MIN: '60' } });
    try {
      const token = await login(c, 'supervisor');
      const here = await connect(c.url, '/hall', { token });
      const there = await connect(d.url, '/hall', { token });
      sockets.push(here, there);
      const goneHere = dropped(here);
      const goneThere = dropped(there);
      clock.advance(30 * 60_000);
      const later = await login(c, 'supervisor');
      const laterSocket = await connect(d.url, '/hall', { token: later });
      sockets.push(laterSocket);
      clock.advance(31 * 60_000);
      expect(await goneHere).toBe('io server disconnect');
      expect(await goneThere).toBe('io server disconnect');
      expect(laterSocket.connected).toBe(true);
      await expect(connect(d.url, '/hall', { token })).rejects.toThrow('UNAUTHENTICATED');
    } finally {
      await c.close();
      await d.close();
    }
  });
});
