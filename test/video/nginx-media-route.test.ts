/**
 * deploy/nginx.conf, run by a real nginx in front of the production shape's processes: an API node
 * (YC_MEDIA=0) and a media node (YC_MEDIA=1), both with docker-compose.yml's YC_MEDIA_PATH and no
 * YC_MEDIA_URL. Only the upstream addresses and the listen port are rewritten for the test; the routing is
 * the file's own. The join answer says "this origin, /media-io", and following it through nginx reaches the
 * media node's rooms, while `/socket.io/` still goes to the API node (which has no `/media`).
 * Runs nginx through test/helpers/nginx.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';
import { httpJson, type ServerProcess } from '../helpers/server-process.ts';
import { startNginx, type RunningNginx } from '../helpers/nginx.ts';
import { joinMedia, mediaOutcome, nextEvent, openVirtualCall, startApiAndMediaNodes, type MediaClient } from './media-node-helpers.ts';

/** docker-compose.yml's value; deploy/nginx.conf routes the same path. */
const MEDIA_PATH = '/media-io';

let db: TestDatabase;
let api: ServerProcess;
let media: ServerProcess;
let nginx: RunningNginx | undefined;
let lb = '';
const clients: MediaClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const shared = {
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    YC_REDIS_PREFIX: `yct-nginx-${randomBytes(4).toString('hex')}`,
    YC_SECRET: 'nginx-route-test-secret',
    YC_MEDIA_PATH: MEDIA_PATH,
    TRUST_PROXY: '1',
  };
  ({ api, media } = await startApiAndMediaNodes(shared));
  // Both API upstreams to the one API node: ip_hash sends one client address to one of them anyway. The
  // site's server listens in plain HTTP here (routing, not TLS, is under test: see test/hardening/nginx-edge).
  nginx = await startNginx({
    upstreams: {
      'server-1:8080': `127.0.0.1:${api.port}`,
      'server-2:8080': `127.0.0.1:${api.port}`,
      'host.docker.internal:8090': `127.0.0.1:${media.port}`,
      // The second region's media node (/media-js/): not under test here, any live address will do.
      'host.docker.internal:8091': `127.0.0.1:${media.port}`,
    },
    tls: false,
  });
  lb = nginx.site;
  expect((await httpJson(lb, 'GET', '/health')).status).toBe(200);
}, 600_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await nginx?.stop();
  await api?.stop();
  await media?.stop();
  await db?.drop();
});

describe('deploy/nginx.conf in front of an API node and a media node', () => {
  it('routes the join answer\'s media path to the media node, where the clerk and the citizen meet', async () => {
    const call = await openVirtualCall(lb, 'proc-admin-pass', randomBytes(3).toString('hex'));
    // Same origin as the page, media's own path: nothing in the answer names a host.
    expect(call.clerk.media).toEqual({ url: null, path: MEDIA_PATH });
    expect(call.citizen.media).toEqual({ url: null, path: MEDIA_PATH });

    // `/socket.io/` still goes to the API node, which holds no rooms.
    expect(await mediaOutcome(lb, '/socket.io', call.clerk.token)).toBe('Invalid namespace');

    const roomId = `vw-${call.ticketId}`;
    const clerk = await joinMedia(call.clerk, lb);
    clients.push(clerk);
    expect((await clerk.request('room:join', {})).data).toMatchObject({ roomId, role: 'clerk', peers: [] });
    const peerJoined = nextEvent<{ peer: { peerId: string; role: string } }>(clerk.socket, 'peer.joined');
    const phone = await joinMedia(call.citizen, lb);
    clients.push(phone);
    expect((await phone.request('room:join', {})).data).toMatchObject({ roomId, peerId: `citizen:${call.ticketId}`, role: 'citizen' });
    expect((await peerJoined).peer).toMatchObject({ peerId: `citizen:${call.ticketId}`, role: 'citizen' });
    const transport = await phone.request('transport:create', { direction: 'recv' });
    expect(transport.error).toBeUndefined();
  });
});
