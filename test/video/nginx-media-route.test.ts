/**
 * deploy/nginx.conf, run by a real nginx in front of the production shape's processes: an API node
 * (YC_MEDIA=0) and a media node (YC_MEDIA=1), both with docker-compose.yml's YC_MEDIA_PATH and no
 * YC_MEDIA_URL. Only the upstream addresses and the listen port are rewritten for the test; the routing is
 * the file's own. The join answer says "this origin, /media-io", and following it through nginx reaches the
 * media node's rooms, while `/socket.io/` still goes to the API node (which has no `/media`).
 *
 * Needs Debian's nginx (`nginx-light` is enough); installed here when absent and running as root, as
 * scripts/ensure-installed.mjs does for the browser and media tools.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';
import { freePort, httpJson, type ServerProcess } from '../helpers/server-process.ts';
import { joinMedia, mediaOutcome, nextEvent, openVirtualCall, startApiAndMediaNodes, type MediaClient } from './media-node-helpers.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const NGINX = '/usr/sbin/nginx';
/** docker-compose.yml's value; deploy/nginx.conf routes the same path. */
const MEDIA_PATH = '/media-io';

let db: TestDatabase;
let api: ServerProcess;
let media: ServerProcess;
let nginx: ChildProcess | undefined;
let nginxExited: Promise<unknown> | undefined;
let dir: string | undefined;
let lb = '';
const clients: MediaClient[] = [];

function ensureNginx(): void {
  if (existsSync(NGINX)) return;
  if (process.getuid?.() !== 0) throw new Error('this test needs nginx: apt-get install nginx-light (or run the tests as root)');
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt(['install', '-y', '-q', '--no-install-recommends', 'nginx-light']).status !== 0) {
    apt(['update', '-q']);
    if (apt(['install', '-y', '-q', '--no-install-recommends', 'nginx-light']).status !== 0) throw new Error('could not install nginx-light');
  }
}

/** deploy/nginx.conf with its upstreams and listen port pointed at this test's processes; nothing else changes. */
function rewrittenConf(addresses: Record<string, string>, listen: string): string {
  let conf = readFileSync(path.join(root, 'deploy', 'nginx.conf'), 'utf8');
  for (const [from, to] of [...Object.entries(addresses), ['listen 80;', `listen ${listen};`]] as const) {
    expect(conf.split(from).length - 1, `deploy/nginx.conf should name ${from} once`).toBe(1);
    conf = conf.replace(from, to);
  }
  return conf;
}

beforeAll(async () => {
  ensureNginx();
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

  dir = mkdtempSync(path.join(tmpdir(), 'yc-nginx-'));
  // nginx's workers drop root; they must reach their temp directories under here.
  chmodSync(dir, 0o755);
  const lbPort = await freePort();
  // Both API upstreams to the one API node: ip_hash sends one client address to one of them anyway.
  writeFileSync(path.join(dir, 'default.conf'), rewrittenConf({
    'server-1:8080': `127.0.0.1:${api.port}`,
    'server-2:8080': `127.0.0.1:${api.port}`,
    'host.docker.internal:8090': `127.0.0.1:${media.port}`,
  }, `127.0.0.1:${lbPort}`));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${path.join(dir as string, k)};`).join(' ');
  writeFileSync(path.join(dir, 'nginx.conf'), [
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    'events { worker_connections 256; }',
    `http { access_log off; ${temp} include ${path.join(dir, 'default.conf')}; }`,
    '',
  ].join('\n'));
  const check = spawnSync(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { encoding: 'utf8' });
  expect(check.status, check.stderr).toBe(0);
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx = child;
  nginxExited = new Promise((resolve) => child.once('exit', resolve));
  lb = `http://127.0.0.1:${lbPort}`;
  // Ready once it proxies a request through to the API node.
  for (let attempt = 0; ; attempt++) {
    const ok = await httpJson(lb, 'GET', '/health').then((r) => r.status === 200, () => false);
    if (ok) break;
    if (attempt > 100 || child.exitCode !== null) throw new Error(`nginx did not come up: ${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 600_000);
afterAll(async () => {
  for (const c of clients) c.close();
  if (nginx && nginx.exitCode === null) {
    nginx.kill('SIGTERM');
    await nginxExited;
  }
  await api?.stop();
  await media?.stop();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
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
