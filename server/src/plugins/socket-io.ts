/**
 * socket.io on the Fastify server's own port. With Redis, the Streams adapter shares rooms across nodes and
 * keeps connection-state recovery working when a client lands on another node.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { guardNamespace, type SocketGuardOptions } from '../lib/socket-guard.ts';

declare module 'fastify' {
  interface FastifyInstance {
    io: Server;
  }
}

/** Rationale: a phone that drops for under two minutes (a lift, a tunnel) gets its missed events replayed. */
const RECOVERY_WINDOW_MS = 2 * 60_000;

export default fp(async function socketIo(app: FastifyInstance) {
  const { redis, config } = app.deps;
  const io = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    cors: config.corsOrigins.length ? { origin: [...config.corsOrigins] } : undefined,
    // Middlewares run again on recovery: a session signed out while the connection was down is refused.
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
    adapter: redis
      ? createAdapter(redis, { streamName: `${config.redisPrefix}:socket.io`, channelPrefix: `${config.redisPrefix}:socket.io` })
      : undefined,
    // Rationale: large enough for SDP-sized signalling payloads, small enough to refuse abuse.
    maxHttpBufferSize: 256 * 1024,
  });
  app.decorate('io', io);
  guardNamespace(io.of('/hall'), socketGuardOptions(app));
  app.addHook('preClose', async () => {
    // Local only: the other nodes stay up and are where these clients reconnect to.
    io.of('/hall').local.emit('server.restarting', { reconnectInMs: 1000 });
    // Give the hint a moment to leave before the connections close; the HTTP server cannot finish
    // closing while any engine.io connection (of any namespace) is open.
    await new Promise((r) => setTimeout(r, 100));
    io.engine.close();
  });
  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });
});

/** The guard settings of this app, for `/hall` here and `/media` in the video module. */
export function socketGuardOptions(app: FastifyInstance): SocketGuardOptions {
  const { config } = app.deps;
  // The wall clock, not deps.clock: load is real time even when a test moves the business clock by hand.
  return { ...config.sockets, trustProxy: config.trustProxy, now: () => performance.now(), log: app.log };
}
