/**
 * One hostile connection must not cost more than itself (issue #14 items 3, 4, 8), in a real server process
 * whose log we read: a flood of `site:watch` is refused past a budget and then dropped, with one log line;
 * a non-function ack drops the connection with one log line and no ERROR; control characters in a socket
 * payload are refused in the contract's format; other sockets and /health carry on throughout. A loop of
 * handshakes with bogus tokens is refused past a per-address budget before any token check (in-process, so
 * the token checks can be counted).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { httpJson, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from '../helpers/test-app.ts';

let db: TestDatabase;
let node: ServerProcess;
let siteId: string;

/** Lines of the server's JSON log at ERROR (50) or above. */
const errorLines = () => node.output().split('\n').filter((l) => /"level":(5|6)\d/.test(l));
const dropLines = () => node.output().split('\n').filter((l) => l.includes('abusive socket dropped'));

beforeAll(async () => {
  db = await createTestDatabase();
  node = await startServerProcess({ DATABASE_URL: db.url, YC_SECRET: 'socket-abuse-secret', YC_DEMO_SEED: '1', YC_SOCKET_CONNECTIONS_PER_IP: '5' });
  const sites = await httpJson(node.url, 'GET', '/sites');
  siteId = sites.body[0].id;
}, 90_000);
afterAll(async () => {
  await node?.stop();
  await db?.drop();
});

const disconnected = (socket: ReturnType<typeof connect> extends Promise<infer S> ? S : never) =>
  new Promise<void>((resolve) => (socket.connected ? socket.once('disconnect', () => resolve()) : resolve()));

describe('a flooding socket', () => {
  it('is answered RATE_LIMITED past its budget, then dropped, while others and /health carry on', async () => {
    const bystander = await connect(node.url, '/hall');
    const flooder = await connect(node.url, '/hall');
    const answers: { data?: unknown; error?: { code: string } }[] = [];
    const gone = disconnected(flooder);
    // Rationale: 5,000 is far past any budget and small enough for a shared 2-core host.
    for (let i = 0; i < 5000; i++) flooder.emit('site:watch', { siteId }, (r: (typeof answers)[number]) => answers.push(r));
    await gone;
    const served = answers.filter((a) => a.data).length;
    // At most the burst and what the per-second budget refilled reached a handler (and so the database).
    expect(served).toBeLessThanOrEqual(40 + 10 * 10);
    expect(answers.some((a) => a.error?.code === 'RATE_LIMITED')).toBe(true);
    expect((await request(bystander, 'site:watch', { siteId })).data.siteId).toBe(siteId);
    expect((await fetch(`${node.url}/api/v1/health`)).status).toBe(200);
    expect(dropLines()).toHaveLength(1);
    bystander.disconnect();
  }, 60_000);

  it('drops a socket whose ack is not a function after one log line, with no ERROR', async () => {
    const before = dropLines().length;
    const socket = await connect(node.url, '/hall');
    const gone = disconnected(socket);
    for (let i = 0; i < 200; i++) socket.emit('site:watch', { siteId }, 'not-a-function');
    await gone;
    await new Promise((r) => setTimeout(r, 300));
    expect(dropLines().length - before).toBe(1);
    expect(errorLines()).toEqual([]);
  }, 60_000);

  it('refuses control characters in a socket payload with VALIDATION_FAILED', async () => {
    const socket = await connect(node.url, '/hall');
    const res = await request(socket, 'ticket:watch', { ticketId: '00000000-0000-4000-8000-000000000000', accessToken: 'abcdefghij\u0000klmnopqrst' });
    expect(res.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'accessToken', reason: 'control characters are not allowed' } });
    expect(socket.connected).toBe(true);
    socket.disconnect();
  });

  it('refuses connections past the per-address bound with RATE_LIMITED', async () => {
    await new Promise((r) => setTimeout(r, 300)); // the earlier tests' sockets finish closing
    const held: Awaited<ReturnType<typeof connect>>[] = [];
    let refused: unknown;
    for (let i = 0; i < 8 && !refused; i++) await connect(node.url, '/hall').then((s) => held.push(s), (err: unknown) => (refused = err));
    expect(held).toHaveLength(5);
    expect(refused).toMatchObject({ data: { code: 'RATE_LIMITED' } });
    for (const s of held) s.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    const again = await connect(node.url, '/hall');
    expect(again.connected).toBe(true);
    again.disconnect();
  }, 30_000);
});

describe('a loop of handshakes with bogus tokens', () => {
  let t: TestApp;
  let hall: Hall;
  beforeAll(async () => {
    // The bound of 5 connections gives the floor of the handshake budget: 20 refused handshakes per address.
    t = await createTestApp({ listen: true, env: { YC_SOCKET_CONNECTIONS_PER_IP: '5' } });
    hall = await createHall(t);
  }, 60_000);
  afterAll(async () => t?.close());

  const refusedCode = (namespace: string, token: string) =>
    connect(t.url, namespace, { token }).then((s) => {
      s.disconnect();
      return 'connected';
    }, (err: Error & { data?: { code?: string } }) => err.data?.code ?? err.message);

  it('on /hall is refused RATE_LIMITED past the budget without a token check, while connected sockets carry on', async () => {
    const bystander = await connect(t.url, '/hall', { token: hall.tokens.clerk });
    const checks = vi.spyOn(t.app.deps.auth, 'session');
    try {
      const codes: string[] = [];
      for (let i = 0; i < 60; i++) codes.push(await refusedCode('/hall', `bogus-token-${i}`));
      expect(codes.slice(0, 20)).toEqual(Array(20).fill('UNAUTHENTICATED'));
      expect(codes.slice(20)).toEqual(Array(40).fill('RATE_LIMITED'));
      // Only the budget's 20 reached the token check (a database lookup each); the other 40 cost nothing.
      expect(checks).toHaveBeenCalledTimes(20);
      expect((await request(bystander, 'site:watch', { siteId: hall.siteId })).data.siteId).toBe(hall.siteId);
      // The budget refills (one every 3 seconds): a good token connects again.
      await new Promise((r) => setTimeout(r, 3_500));
      expect(await refusedCode('/hall', hall.tokens.clerk)).toBe('connected');
    } finally {
      checks.mockRestore();
      bystander.disconnect();
    }
  }, 60_000);

  it('on /media is refused RATE_LIMITED past the budget', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) codes.push(await refusedCode('/media', `bogus-join-token-${i}`));
    expect(codes.slice(0, 20).every((c) => c !== 'RATE_LIMITED' && c !== 'connected')).toBe(true);
    expect(codes.slice(20)).toEqual(Array(10).fill('RATE_LIMITED'));
  }, 60_000);
});
