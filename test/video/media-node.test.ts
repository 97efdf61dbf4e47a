/**
 * Media on a node of its own, as docker-compose.yml runs it: an API node (YC_MEDIA=0) and a media node
 * (YC_MEDIA=1) as two server processes over one Postgres and one Redis. The API node hosts no rooms, so the
 * join answer it gives must send browsers to the media node (here by origin, YC_MEDIA_URL, and path,
 * YC_MEDIA_PATH): the clerk and the citizen of a virtual-window call follow it, meet in one room, and the
 * call ending on the API node closes the room on the media node. Also: bad values stop the boot, and the
 * default keeps the embedded shape (page origin, `/socket.io`).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/src/config.ts';
import { createMediaTokens } from '../../server/src/video/media-tokens.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';
import { httpJson, type ServerProcess } from '../helpers/server-process.ts';
import { COMPILED_SERVER_ARGS } from '../../scripts/build-server.mjs';
import { joinMedia, mediaOutcome, nextEvent, openVirtualCall, startApiAndMediaNodes, type MediaClient } from './media-node-helpers.ts';

const ADMIN_PASSWORD = 'proc-admin-pass'; // startServerProcess's
let db: TestDatabase;
let api: ServerProcess;
let media: ServerProcess;
const clients: MediaClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const shared = {
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    YC_REDIS_PREFIX: `yct-medianode-${randomBytes(4).toString('hex')}`,
    YC_SECRET: 'media-node-test-secret',
    YC_MEDIA_PATH: '/media-io',
  };
  ({ api, media } = await startApiAndMediaNodes(shared, (m) => ({ YC_MEDIA_URL: m.url })));
}, 600_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await api?.stop();
  await media?.stop();
  await db?.drop();
});

describe('an API node and a media node', () => {
  it('send both sides of a call to the media node, where they meet; ending the call on the API node closes the room', async () => {
    const call = await openVirtualCall(api.url, ADMIN_PASSWORD, randomBytes(3).toString('hex'));
    const where = { url: media.url, path: '/media-io' };
    expect(call.clerk.media).toEqual(where);
    expect(call.citizen.media).toEqual(where);
    // The citizen's phone reads its ticket for the call: the same endpoint rides there too.
    const mine = await httpJson(api.url, 'GET', `/tickets/${call.ticketId}`, undefined, { 'x-access-token': call.citizenToken });
    expect(mine.body.join.media).toEqual(where);

    // What browsers met before: the API node has no `/media` at all.
    expect(await mediaOutcome(api.url, '/socket.io', call.clerk.token)).toBe('Invalid namespace');

    const roomId = `vw-${call.ticketId}`;
    const clerk = await joinMedia(call.clerk, api.url);
    clients.push(clerk);
    const clerkJoined = await clerk.request('room:join', {});
    expect(clerkJoined.error).toBeUndefined();
    expect(clerkJoined.data).toMatchObject({ roomId, role: 'clerk', peers: [] });
    expect(clerkJoined.data.routerRtpCapabilities.codecs.length).toBeGreaterThan(0);

    const peerJoined = nextEvent<{ peer: { peerId: string; role: string; displayName: string } }>(clerk.socket, 'peer.joined');
    const phone = await joinMedia(call.citizen, api.url);
    clients.push(phone);
    const phoneJoined = await phone.request('room:join', {});
    expect(phoneJoined.data).toMatchObject({ roomId, peerId: `citizen:${call.ticketId}`, role: 'citizen' });
    expect(phoneJoined.data.peers.map((p: { role: string }) => p.role)).toEqual(['clerk']);
    expect((await peerJoined).peer).toMatchObject({ peerId: `citizen:${call.ticketId}`, role: 'citizen', displayName: `${call.number} 张*丰` });
    // Media flows through the media node: a transport there answers with its ICE candidates.
    const transport = await phone.request('transport:create', { direction: 'send' });
    expect(transport.error).toBeUndefined();
    expect(transport.data.iceCandidates.length).toBeGreaterThan(0);

    // The clerk finishes on the API node; the media node learns the room's session ended and closes it.
    const closed = nextEvent<{ reason: string }>(phone.socket, 'room.closed');
    expect((await httpJson(api.url, 'POST', `/tickets/${call.ticketId}/start`, undefined, call.clerkAuth)).status).toBe(200);
    expect((await httpJson(api.url, 'POST', `/tickets/${call.ticketId}/finish`, { outcome: 'completed' }, call.clerkAuth)).status).toBe(200);
    expect(await closed).toEqual({ reason: 'sessionEnded' });
    expect(await mediaOutcome(media.url, '/media-io', call.citizen.token)).toBe('ROOM_CLOSED');
  });
});

describe('YC_MEDIA_URL and YC_MEDIA_PATH', () => {
  it('default to the embedded shape: the page origin and /socket.io, as join answers say', async () => {
    const config = loadConfig({ YC_DEMO: '1' });
    expect(config.media.endpoint).toEqual({ url: undefined, path: '/socket.io' });
    const tokens = createMediaTokens({ key: 'k', ttlMs: 60_000, now: () => 0, endpoint: config.media.endpoint });
    const join = await tokens.mint({ roomId: 'vw-1', participantId: 'p', role: 'clerk', displayName: 'c', sessionRef: 'ticket:1', timeZone: 'Asia/Shanghai' });
    expect(join.media).toEqual({ url: null, path: '/socket.io' });
  });

  it('take an origin and a path of its own, written either way', () => {
    const config = loadConfig({ YC_DEMO: '1', YC_MEDIA_URL: 'https://Media.Example.gov.cn:8443/', YC_MEDIA_PATH: '/media-io/' });
    expect(config.media.endpoint).toEqual({ url: 'https://media.example.gov.cn:8443', path: '/media-io' });
  });

  it.each([
    ['YC_MEDIA_URL', 'https://media.example.gov.cn/media'], // socket.io would read the path as a namespace
    ['YC_MEDIA_URL', 'media.example.gov.cn'],
    ['YC_MEDIA_URL', 'ftp://media.example.gov.cn'],
    ['YC_MEDIA_URL', 'https://media.example.gov.cn/?x=1'],
    ['YC_MEDIA_PATH', 'media-io'],
    ['YC_MEDIA_PATH', '/'],
    ['YC_MEDIA_PATH', '/api'], // would swallow the API
    ['YC_MEDIA_PATH', '/counter/io'],
    ['YC_MEDIA_PATH', '/socket.io/media'],
    ['YC_MEDIA_PATH', '/media io'],
  ])('refuse %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ YC_DEMO: '1', [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ YC_DEMO: '1', [name]: value })).toThrow(name);
  });

  it('stop a server process at boot with a message naming the variable', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const child = spawn(process.execPath, [...COMPILED_SERVER_ARGS], {
      cwd: root,
      env: { ...process.env, YC_DEMO: '1', YC_MEDIA_URL: 'https://media.example.gov.cn/media', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('configuration error: YC_MEDIA_URL must be an origin');
  });
});
