/**
 * The `/hall` socket.io namespace, typed by the server's contract. Boards connect anonymously; staff pass
 * their bearer token in the handshake so they also receive staff-only events (`sla.atRisk`, `ticket.updated`).
 */
import { io, type Socket } from 'socket.io-client';
import type { HallClientToServer, HallServerToClient } from '@yichuang/server/contracts';

export type HallSocket = Socket<HallServerToClient, HallClientToServer>;

/** Rationale: the database's own bounds are seconds long; retrying sooner would only add to its queue. */
const HANDSHAKE_RETRY_MS = 3_000;

export function connectHall(token?: string | null): HallSocket {
  const socket: HallSocket = io('/hall', {
    ...(token ? { auth: { token } } : {}),
    // Rationale: a TV left on all day must keep trying; capped backoff keeps a restarting server unflooded.
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
  });
  // socket.io does not reconnect by itself after the server closed the connection on purpose (a node
  // draining for a restart): a board must come back anyway.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1_000);
  });
  // A handshake the server refused does not retry by itself either. The server could not check the staff
  // token (its database was away): try again. UNAUTHENTICATED (signed out) stays refused.
  socket.on('connect_error', (err) => {
    if (!socket.active && (err.message === 'UNAVAILABLE' || err.message === 'INTERNAL')) setTimeout(() => socket.connect(), HANDSHAKE_RETRY_MS);
  });
  return socket;
}

type AckResult<T> = { data: T } | { error: { code: string; message: string } };

/** Emits a request and resolves with its ack's data, or rejects with the ack's error code. */
export function request<T>(emit: (ack: (r: AckResult<T>) => void) => void, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('TIMEOUT')), timeoutMs);
    emit((r) => {
      clearTimeout(timer);
      if ('data' in r) resolve(r.data);
      else reject(Object.assign(new Error(r.error.code), { code: r.error.code }));
    });
  });
}

/**
 * Tracks one site's event `seq`. `accept` says whether an event is new, and whether events were missed
 * before it (then the caller reloads the full state over HTTP).
 */
export class SeqTracker {
  private last = -1;

  reset(seq: number): void {
    this.last = seq;
  }

  get known(): boolean {
    return this.last >= 0;
  }

  accept(seq: number): { fresh: boolean; gap: boolean } {
    if (this.last < 0) return { fresh: true, gap: true };
    if (seq <= this.last) return { fresh: false, gap: false };
    const gap = seq > this.last + 1;
    this.last = seq;
    return { fresh: true, gap };
  }
}
