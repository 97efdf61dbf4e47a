/** One socket.io connection to the `/hall` namespace, shared by every screen that follows something live. */
import { io, type Socket } from 'socket.io-client';
import type { HallClientToServer, HallServerToClient } from './contract-types.ts';

export type HallSocket = Socket<HallServerToClient, HallClientToServer>;

let socket: HallSocket | null = null;

export function hallSocket(): HallSocket {
  if (!socket) {
    socket = io('/hall', {
      path: '/socket.io',
      // Rationale: on a slow mobile link the polling handshake costs extra round trips; WebSocket first,
      // long-polling when a proxy or network refuses it.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
  }
  return socket;
}

type AckResult<T> = { data: T } | { error: { code: string; message: string } };

/** Emits with an ack and a deadline; resolves the data or rejects with the error code. */
export function emitAck<T>(s: HallSocket, event: keyof HallClientToServer, payload: unknown, timeoutMs = 8000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const emitter = s.timeout(timeoutMs) as unknown as { emit: (ev: string, p: unknown, cb: (err: Error | null, res: AckResult<T>) => void) => void };
    emitter.emit(event, payload, (err, res) => {
      if (err) return reject(new Error('TIMEOUT'));
      if ('error' in res) return reject(new Error(res.error.code));
      resolve(res.data);
    });
  });
}
