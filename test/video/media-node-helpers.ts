/**
 * For tests of media on a node of its own: a virtual-window call set up over plain HTTP (any node, or a
 * proxy), and a `/media` connection made the way the web apps make it, from the join answer alone.
 */
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { JoinInfo } from '../../server/src/contracts/dto.ts';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { freePort, httpJson, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { freePortBase } from './helpers.ts';

/**
 * The production shape's two kinds of node over one database and Redis (`shared`): a media node
 * (YC_MEDIA=1, a real mediasoup worker on free ports) and then an API node (YC_MEDIA=0, plus `apiEnv`,
 * which may name the media node).
 */
export async function startApiAndMediaNodes(
  shared: Record<string, string>,
  apiEnv: (media: ServerProcess) => Record<string, string> = () => ({}),
): Promise<{ api: ServerProcess; media: ServerProcess }> {
  const media = await startServerProcess({
    ...shared, YC_MEDIA: '1', MEDIASOUP_WORKER_BIN: await resolveMediasoupWorker(), YC_MEDIA_WORKERS: '1', YC_RTC_BASE_PORT: String(await freePortBase(1)),
  }, await freePort());
  const api = await startServerProcess({ ...shared, YC_MEDIA: '0', ...apiEnv(media) });
  return { api, media };
}

export interface VirtualCall {
  ticketId: string;
  number: string;
  citizenToken: string;
  clerkAuth: { authorization: string };
  /** The clerk's join, from the call-next answer. */
  clerk: JoinInfo;
  /** The citizen's join, from `GET /tickets/:id/join` with its access token. */
  citizen: JoinInfo;
}

/** A district centre with a virtual window and its clerk, a remote citizen's ticket, and the call. */
export async function openVirtualCall(base: string, adminPassword: string, tag: string): Promise<VirtualCall> {
  const must = async (method: string, url: string, body: unknown, headers: Record<string, string>, status: number) => {
    const res = await httpJson(base, method, url, body, headers);
    expect(res.status, `${method} ${url} ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  };
  const admin = { authorization: `Bearer ${(await must('POST', '/auth/login', { username: 'admin', password: adminPassword }, {}, 200)).token}` };
  const site = await must('POST', '/admin/sites', { code: `VW-${tag.toUpperCase()}`, name: '青浦区政务服务中心', level: 'district', region: 'SH-QP' }, admin, 201);
  const service = await must('POST', `/admin/sites/${site.id}/services`, { code: 'G1', name: '居住证办理', category: 'A', complexity: 'general' }, admin, 201);
  const window = await must('POST', `/admin/sites/${site.id}/windows`, { number: 9, name: '远程虚拟窗口', kind: 'virtual', serviceIds: [service.id] }, admin, 201);
  await must('POST', '/admin/staff', { username: `vw-clerk-${tag}`, password: 'vw-clerk-pass', displayName: '王娟', role: 'clerk', siteIds: [site.id] }, admin, 201);
  const clerkAuth = { authorization: `Bearer ${(await must('POST', '/auth/login', { username: `vw-clerk-${tag}`, password: 'vw-clerk-pass' }, {}, 200)).token}` };
  await must('POST', `/windows/${window.id}/open`, undefined, clerkAuth, 200);
  const ticket = await must('POST', `/sites/${site.id}/tickets`, { serviceId: service.id, channel: 'mobile', citizen: { name: '张三丰' } }, {}, 201);
  const called = await must('POST', `/windows/${window.id}/call-next`, undefined, clerkAuth, 200);
  expect(called.id).toBe(ticket.id);
  const citizen = await must('GET', `/tickets/${ticket.id}/join`, undefined, { 'x-access-token': ticket.accessToken }, 200);
  return { ticketId: ticket.id, number: ticket.number, citizenToken: ticket.accessToken, clerkAuth, clerk: called.join, citizen };
}

export interface MediaClient {
  socket: Socket;
  request(name: string, payload: unknown): Promise<{ data?: any; error?: { code: string; message: string } }>;
  close(): void;
}

/**
 * Connects to `/media` as the web apps do: `join.media.url` (or, when null, the origin the page came from)
 * over `join.media.path`. Rejects with the handshake error (its code, or socket.io's own message).
 */
export function joinMedia(join: Pick<JoinInfo, 'token' | 'media'>, pageOrigin: string): Promise<MediaClient> {
  return connectMediaAt(join.media.url ?? pageOrigin, join.media.path, join.token);
}

export function connectMediaAt(origin: string, path: string, token: string): Promise<MediaClient> {
  return new Promise((resolve, reject) => {
    const socket = io(`${origin}/media`, { path, auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.once('connect', () =>
      resolve({ socket, request: (name, payload) => socket.timeout(10_000).emitWithAck(name, payload), close: () => socket.close() }),
    );
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      socket.close();
      reject(Object.assign(new Error(err.data?.code ?? err.message), { code: err.data?.code ?? err.message }));
    });
  });
}

/** The handshake's refusal (its code or socket.io's message), or 'CONNECTED'. */
export async function mediaOutcome(origin: string, path: string, token: string): Promise<string> {
  try {
    (await connectMediaAt(origin, path, token)).close();
    return 'CONNECTED';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

/** The next `event` on `socket`; fails after `timeoutMs` (a bound, not a measurement). */
export function nextEvent<T = unknown>(socket: Socket, event: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (data: T) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}
