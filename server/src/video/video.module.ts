/**
 * Wires the video module into the app: the SFU on `/media` (when `YC_MEDIA` is on; over its own socket.io
 * path when `YC_MEDIA_PATH` gives one), assistance sessions, virtual-window rooms, recording, the `/hall`
 * presence event, the sweep job and the routes. Join tokens carry the media endpoint browsers should use.
 *
 * The SFU's worker pool starts with the first room, so an app that never opens a room never spawns a worker.
 */
import { accessSync, constants } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createMediaService, type IceServer, type MediaService } from '@yichuang/sfu';
import { cachedWorkerLocation } from '../../../scripts/build-mediasoup-worker.mjs';
import { DEFAULT_SOCKET_IO_PATH, type Config } from '../config.ts';
import type { HallNamespace } from '../events/hall-events.ts';
import type { VirtualCallRooms } from '../queue/queue.service.ts';
import { createAssistService, type AssistService } from './assist.service.ts';
import { parseRoomId } from './core/index.ts';
import { guardNamespace } from '../lib/socket-guard.ts';
import { socketGuardOptions } from '../plugins/socket-io.ts';
import { createMediaIo, type MediaIo } from './media-io.ts';
import { createMediaNodes, createRedisCascadeBus, createRoomDirectory, type MediaNodes, type PlaceRequest, type RedisCascadeBus } from './media-nodes.ts';
import type { MediaNodeRecord } from './core/placement.ts';
import { createMediaTokens, deriveMediaKey } from './media-tokens.ts';
import { createRecorder, type Recorder } from './recording/recorder.ts';
import { createRoomActivity, type RoomActivity } from './room-activity.ts';
import { createVirtualRooms, type VirtualRooms } from './virtual-rooms.ts';
import { videoRoutes } from './video.routes.ts';
import { attachVideoSocket } from './video.socket.ts';

/** Rationale: escalation is due every 60 s per expert; a 5 s sweep keeps it within 5 s of the minute. */
const SWEEP_INTERVAL_MS = 5_000;

export interface VideoModule {
  assist: AssistService;
  virtual: VirtualRooms;
  /** What the queue service calls when a virtual window calls a ticket. */
  virtualRooms: VirtualCallRooms;
  media: MediaService | undefined;
  recorder: Recorder;
  activity: RoomActivity;
  /** Whether a room may be entered now (its session ringing/active, or its ticket in a virtual call). */
  isRoomOpen(roomId: string): Promise<boolean>;
  /** Registered media nodes (REDIS_URL set): the live ones, where participants are placed. */
  nodes: MediaNodes | undefined;
  /** Maintenance: this media node takes no new rooms and stops being offered; its rooms go on. */
  drain(): void;
  /** One run of the periodic work (tests call it by hand): escalate due requests, sample call quality, close rooms that ended. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    video: VideoModule;
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The mediasoup-worker binary: MEDIASOUP_WORKER_BIN, else the build cached by
 * scripts/build-mediasoup-worker.mjs (`npm start` / `npm test` build it), else mediasoup's own (absent here).
 */
export function resolveWorkerBin(config: Pick<Config, 'media'>): string | undefined {
  if (config.media.workerBin) return config.media.workerBin;
  try {
    const cached = cachedWorkerLocation().file;
    return executable(cached) ? cached : undefined;
  } catch {
    return undefined;
  }
}

export function iceServersOf(config: Pick<Config, 'media'>): IceServer[] {
  const { turnUrls, turnUsername, turnCredential } = config.media;
  if (turnUrls.length === 0) return [];
  return [{ urls: [...turnUrls], ...(turnUsername ? { username: turnUsername } : {}), ...(turnCredential ? { credential: turnCredential } : {}) }];
}

export async function registerVideo(app: FastifyInstance, options: { startJobs: boolean }): Promise<VideoModule> {
  const d = app.deps;
  const { config, clock, db } = d;
  const key = deriveMediaKey(config.secret);
  const cluster = config.media.cluster;
  const registered = config.media.enabled && cluster.region !== undefined && d.redis !== null;
  let media: MediaService | undefined;
  let bus: RedisCascadeBus | undefined;
  let draining = false;
  const selfRecord = (): MediaNodeRecord => {
    const stats = media?.stats();
    const workers = stats?.workers.filter((w) => w.alive) ?? [];
    return {
      id: cluster.nodeId, region: cluster.region ?? '', url: config.media.endpoint.url ?? '', path: config.media.endpoint.path, draining,
      load: {
        workers: workers.length, rooms: stats?.rooms ?? 0, peers: stats?.peers ?? 0, consumers: stats?.consumers ?? 0,
        cpu: workers.reduce((sum, w) => sum + (w.cpu ?? 0), 0),
      },
    };
  };
  // Every node with Redis reads the registry (API nodes place participants); registered media nodes also beat.
  const nodes: MediaNodes | undefined = d.redis
    ? createMediaNodes({
        redis: d.redis, prefix: config.redisPrefix, heartbeatMs: cluster.heartbeatMs,
        ...(registered ? { self: selfRecord } : {}),
        onRefresh: (alive) => media?.cascade?.keepOnly(alive),
        onError: (err) => app.log.warn({ err }, 'media node registry unreachable'),
      })
    : undefined;
  const tokens = createMediaTokens({
    key, ttlMs: config.media.tokenTtlSec * 1000, now: clock.now, endpoint: config.media.endpoint,
    ...(nodes ? { place: (request: PlaceRequest) => nodes.place(request) } : {}),
  });
  let mediaIo: MediaIo | undefined;
  let closed = false;

  const recorder = createRecorder({
    db, clock, nodeId: cluster.nodeId, dir: config.media.recordingsDir, ffmpegBin: config.media.ffmpegBin, ffprobeBin: config.media.ffprobeBin, log: app.log,
  });
  // Late-bound: the activity closes rooms the services end, and the services ask whether rooms are open.
  let isRoomOpen: (roomId: string) => Promise<boolean> = async () => false;
  const activity = createRoomActivity({ db, clock, media: () => media, recorder, isRoomOpen: (id) => isRoomOpen(id), log: app.log });
  const closeRoom = (roomId: string) => activity.closeRoom(roomId);

  const assist = createAssistService({
    db, clock, sites: d.sites, events: d.events, tokens, closeRoom, log: app.log,
    hall: () => (app.hasDecorator('io') ? (app.io.of('/hall') as HallNamespace) : null),
  });
  const virtual = createVirtualRooms({ db, clock, sites: d.sites, tokens, closeRoom });

  isRoomOpen = async (roomId) => {
    if (closed) return false;
    const ref = parseRoomId(roomId);
    if (!ref) return false;
    return ref.kind === 'assist' ? assist.isRoomOpen(ref.sessionId) : virtual.isRoomOpen(ref.ticketId);
  };

  if (config.media.enabled) {
    const workerBin = resolveWorkerBin(config);
    if (!workerBin) app.log.warn('mediasoup-worker not built yet: run `node scripts/build-mediasoup-worker.mjs` (rooms fail until it exists)');
    // Media on a path of its own (YC_MEDIA_PATH) gets a socket.io server of its own; else `/media` sits beside `/hall`.
    const ownPath = config.media.endpoint.path !== DEFAULT_SOCKET_IO_PATH;
    if (ownPath) mediaIo = createMediaIo(app.server, { path: config.media.endpoint.path, corsOrigins: config.corsOrigins });
    const namespace = mediaIo?.namespace ?? app.io.of('/media');
    guardNamespace(namespace, socketGuardOptions(app));
    media = createMediaService({
      namespace,
      secret: key,
      isRoomOpen: (roomId) => isRoomOpen(roomId),
      onRoomEvent: activity.onRoomEvent,
      workerOptions: {
        ...(workerBin ? { workerBin } : {}),
        ...(config.media.workers > 0 ? { numWorkers: config.media.workers } : {}),
        listenIp: config.media.listenIp,
        ...(config.media.announcedIp ? { announcedIp: config.media.announcedIp } : {}),
        rtcBasePort: config.media.rtcBasePort,
      },
      iceServers: iceServersOf(config),
      now: clock.now,
      ...(registered && d.redis ? { cascade: await cascadeOptions(d.redis) } : {}),
    });
    // Registered before the first join can land here, and known to the others before they are told of us.
    if (registered) await nodes?.refresh();
    // In the background: hashing partial files must not hold up the start.
    recorder.recoverInterrupted({ anyNode: d.redis === null }).then(
      (n) => n > 0 && app.log.warn({ recordings: n }, 'recordings interrupted by the last stop of this node closed as failed'),
      (err: unknown) => app.log.error({ err }, 'could not close the recordings the last stop of this node interrupted'),
    );
  }

  async function cascadeOptions(redis: NonNullable<typeof d.redis>) {
    bus = await createRedisCascadeBus(redis, redis.duplicate(), config.redisPrefix, cluster.nodeId, (message) => media?.cascade?.receive(message), (err) => app.log.warn({ err }, 'cascade bus'));
    return {
      nodeId: cluster.nodeId, bus, directory: createRoomDirectory(redis, config.redisPrefix, cluster.nodeId), listenIp: cluster.pipeIp,
      ...(cluster.pipeAnnouncedIp ?? config.media.announcedIp ? { announcedIp: cluster.pipeAnnouncedIp ?? config.media.announcedIp } : {}),
      onError: (err: unknown, context: string) => app.log.warn({ err, context }, 'cascade link failed'),
    };
  }

  d.events.onLocal((name, payload) => {
    if (name !== 'ticket.updated') return;
    const ticket = (payload as { ticket?: Parameters<VirtualRooms['onTicketUpdated']>[0] }).ticket;
    if (ticket) virtual.onTicketUpdated(ticket).catch((err: unknown) => app.log.error({ err, ticketId: ticket.id }, 'closing a virtual-window room failed'));
  });

  await app.register(videoRoutes(assist, virtual), { prefix: '/api/v1' });
  attachVideoSocket(app, assist);

  /** Cluster-wide (one node at a time through the job runner): escalate due requests. */
  async function escalate(): Promise<void> {
    if (!closed) await assist.sweep();
  }
  /** Per node (the rooms this node hosts): sample call quality, close rooms whose session ended elsewhere. */
  async function localSweep(): Promise<void> {
    if (closed) return;
    activity.sample();
    await activity.closeStale();
  }
  let localTimer: NodeJS.Timeout | undefined;

  const module: VideoModule = {
    assist, virtual, virtualRooms: virtual.rooms, media, recorder, activity, nodes,
    drain() {
      draining = true;
      media?.drain();
      void nodes?.refresh().catch(() => undefined);
    },
    isRoomOpen: (roomId) => isRoomOpen(roomId),
    async sweep() {
      await escalate();
      await localSweep();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(localTimer);
      // Recordings first, while the database is still open: each file is finished, hashed and listed.
      await recorder.close();
      // Out of the registry first, so nobody is sent here while the rooms close.
      await nodes?.close();
      media?.close();
      await bus?.close();
      mediaIo?.close();
    },
  };
  app.decorate('video', module);
  // preClose: before app.ts's onClose closes the database.
  app.addHook('preClose', async () => module.close());

  if (options.startJobs) {
    await d.jobs.every('video.escalate', SWEEP_INTERVAL_MS, escalate);
    localTimer = setInterval(() => void localSweep().catch((err: unknown) => app.log.error({ err }, 'video room sweep failed')), SWEEP_INTERVAL_MS);
    localTimer.unref();
  }
  return module;
}
