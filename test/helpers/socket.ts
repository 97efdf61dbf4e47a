/** socket.io-client helpers: connect to a test server's namespace and wait for events. */
import { io, type Socket } from 'socket.io-client';

export function connect(url: string, namespace: string, auth?: Record<string, unknown>): Promise<Socket> {
  const socket = io(`${url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Rationale: a bound on waiting, not a speed check: a server on a loaded 2-core host can lag by seconds. */
const WAIT_MS = 15_000;

/** Emits with an ack and returns the ack's answer. */
export function request<T = any>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return socket.timeout(WAIT_MS).emitWithAck(event, payload) as Promise<T>;
}

/** The next event of this name that satisfies `match`. */
export function nextEvent<T = any>(socket: Socket, event: string, match: (e: T) => boolean = () => true, timeoutMs = WAIT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (e: T) => {
      if (!match(e)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(e);
    };
    socket.on(event, handler);
  });
}
