/**
 * A socket.io server of its own for `/media`, on the same HTTP server, when YC_MEDIA_PATH moves media off
 * `/socket.io`. A namespace travels inside the socket.io protocol, not in the URL, so a proxy can only send
 * media to the node holding the rooms when media has a path of its own (deploy/nginx.conf: `/media-io/`).
 *
 * No Redis adapter and no connection-state recovery: a room lives in the process that hosts it, and the
 * media client joins again with its token after any reconnect.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';

export interface MediaIo {
  /** The `/media` namespace to hand to the SFU. */
  readonly namespace: Namespace;
  /** Drops the remaining connections and stops accepting new ones, leaving the HTTP server to its owner. Idempotent. */
  close(): void;
}

export function createMediaIo(server: HttpServer, options: { path: string; corsOrigins: readonly string[] }): MediaIo {
  const io = new Server(server, {
    path: options.path,
    serveClient: false,
    cors: options.corsOrigins.length ? { origin: [...options.corsOrigins] } : undefined,
    // The `/hall` server on `/socket.io` answers the other upgrades; ending them here would race it.
    destroyUpgrade: false,
    // Rationale: as for `/hall` (plugins/socket-io.ts): SDP-sized signalling payloads, no more.
    maxHttpBufferSize: 256 * 1024,
  });
  let closed = false;
  return {
    namespace: io.of('/media'),
    close() {
      if (closed) return;
      closed = true;
      io.of('/media').disconnectSockets(true);
      // Not io.close(): that would close the HTTP server, which Fastify owns and closes itself.
      io.engine.close();
    },
  };
}
