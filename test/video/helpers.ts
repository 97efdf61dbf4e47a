/**
 * A site tree for the video tests, built through the admin API: district D (青浦) ─ community C ─ village V,
 * a second district D2, and a Wujiang cross-province desk WJ. Staff: a village clerk, a clerk of D2, experts
 * at C, at D (two), at WJ (skill 医保), and a supervisor of D.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { expect } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { login, STAFF_PASSWORD } from '../helpers/fixtures.ts';
import { bearer, type TestApp } from '../helpers/test-app.ts';

export interface VideoHall {
  adminToken: string;
  site: { D: string; C: string; V: string; D2: string; WJ: string };
  service: string;
  virtualWindow: string;
  staffIds: Record<StaffName, string>;
  tokens: Record<StaffName, string>;
}

export type StaffName = 'clerkV' | 'clerkD2' | 'expertC' | 'expertD1' | 'expertD2' | 'expertWJ' | 'supervisorD' | 'clerkD';

export async function createVideoHall(t: TestApp): Promise<VideoHall> {
  const adminToken = await login(t, t.config.adminUser, t.config.adminPassword);
  const post = async (path: string, body: unknown) => {
    const res = await t.api('POST', path, body, bearer(adminToken));
    expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(201);
    return res.body as { id: string };
  };
  const D = await post('/admin/sites', { code: 'QP', name: '青浦区政务服务中心', level: 'district', region: 'SH-QP' });
  const C = await post('/admin/sites', { code: 'QP-ZJJ', name: '朱家角镇社区事务受理服务中心', level: 'community', parentCode: 'QP', region: 'SH-QP' });
  const V = await post('/admin/sites', { code: 'QP-ZJJ-01', name: '张马村村居服务站', level: 'village', parentCode: 'QP-ZJJ', region: 'SH-QP' });
  const D2 = await post('/admin/sites', { code: 'SJ', name: '松江区政务服务中心', level: 'district', region: 'SH-SJ' });
  const WJ = await post('/admin/sites', { code: 'WJ', name: '吴江长三角跨省通办窗口', level: 'crossProvince', region: 'JS-WJ' });
  const service = await post(`/admin/sites/${D.id}/services`, { code: 'G1', name: '居住证办理', category: 'A', complexity: 'general' });
  const vw = await post(`/admin/sites/${D.id}/windows`, { number: 9, name: '远程虚拟窗口', kind: 'virtual', serviceIds: [service.id] });
  const staff: [StaffName, string, string[], string[]][] = [
    ['clerkV', 'clerk', [V.id], []],
    ['clerkD', 'clerk', [D.id], []],
    ['clerkD2', 'clerk', [D2.id], []],
    ['expertC', 'expert', [C.id], []],
    ['expertD1', 'expert', [D.id], ['社保']],
    ['expertD2', 'expert', [D.id], []],
    ['expertWJ', 'expert', [WJ.id], ['医保']],
    ['supervisorD', 'supervisor', [D.id], []],
  ];
  const staffIds = {} as Record<StaffName, string>;
  const tokens = {} as Record<StaffName, string>;
  for (const [name, role, siteIds, skills] of staff) {
    const s = await post('/admin/staff', { username: name.toLowerCase(), password: STAFF_PASSWORD, displayName: name, role, siteIds, skills });
    staffIds[name] = s.id;
    tokens[name] = await login(t, name.toLowerCase());
  }
  return { adminToken, site: { D: D.id, C: C.id, V: V.id, D2: D2.id, WJ: WJ.id }, service: service.id, virtualWindow: vw.id, staffIds, tokens };
}

export async function setOnline(t: TestApp, hall: VideoHall, names: StaffName[], online = true): Promise<void> {
  for (const name of names) {
    const res = await t.api('POST', '/experts/me/presence', { online }, bearer(hall.tokens[name]));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

/** Free UDP+TCP ports for the WorkerPool's WebRtcServers (random, so parallel test files do not collide). */
export async function freePortBase(count: number): Promise<number> {
  const free = async (port: number) => {
    const tcp = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (!tcp) return false;
    return new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30000 + Math.floor(Math.random() * 900) * 10;
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error('no free port range');
}

export interface MediaClient {
  socket: Socket;
  request(name: string, payload: unknown): Promise<{ data?: any; error?: { code: string; message: string } }>;
  events: { event: string; data: unknown }[];
  close(): void;
}

/** Connects to `/media` with a join token; resolves on connect, rejects with the handshake error's code. */
export function connectMedia(url: string, token: string): Promise<MediaClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(`${url}/media`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const events: MediaClient['events'] = [];
    socket.onAny((event: string, data: unknown) => events.push({ event, data }));
    socket.once('connect', () =>
      resolve({
        socket,
        events,
        request: (name, payload) => socket.timeout(10_000).emitWithAck(name, payload),
        close: () => socket.close(),
      }),
    );
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      socket.close();
      reject(Object.assign(new Error(err.data?.code ?? err.message), { code: err.data?.code ?? err.message }));
    });
  });
}

/** The handshake error code when `/media` refuses a token, or 'CONNECTED'. */
export async function handshakeOutcome(url: string, token: string): Promise<string> {
  try {
    const c = await connectMedia(url, token);
    c.close();
    return 'CONNECTED';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

/** Waits for a server event on a client socket. */
export function nextEvent<T = unknown>(socket: Socket, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (data: T) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

export { STAFF_PASSWORD };
