/**
 * Audit recording (sites whose policy has `recordSessions`): every producer of a recorded room is consumed
 * through its own mediasoup PlainTransport into an ffmpeg that copies the RTP payload into a file, without
 * re-encoding (mediasoup's recording demo does the same). When the producer or the room closes, ffmpeg is
 * stopped with SIGINT (it writes the container's index), and the file is hashed (SHA-256), measured
 * (ffprobe) and listed on the session.
 *
 * The SFU tells us about producers through mediasoup's own observers (router → `newtransport` →
 * `newproducer`) on the routers and peers of a live Room (`media.room(roomId)`); a `producer` event on the
 * Room would be a cleaner hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { videoRecordings } from '../../db/schema/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { containerFor, recordingSdp } from '../core/sdp.ts';
import * as repo from '../video.repository.ts';

/** The part of the SFU's Room the recorder reads. */
export interface RecordableRoom {
  readonly id: string;
  readonly closed: boolean;
  readonly routers: types.Router[];
  readonly peers: ReadonlyMap<string, {
    readonly router: types.Router;
    readonly transports: ReadonlyMap<string, types.Transport>;
    readonly producers: ReadonlyMap<string, types.Producer>;
  }>;
}

export interface RoomRecordingMeta {
  sessionId: string | null;
  ticketId: string | null;
}

export interface RecorderDeps {
  db: Db;
  clock: Clock;
  /** This media node (`YC_MEDIA_NODE_ID`): kept on each recording, so a restart finds what it left running. */
  nodeId: string;
  dir: string;
  ffmpegBin: string;
  ffprobeBin: string;
  log: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

interface ProducerAppData {
  peerId?: unknown;
  source?: unknown;
}

interface Recording {
  id: string;
  roomId: string;
  producerId: string;
  kind: 'audio' | 'video';
  file: string;
  startedAt: number;
  /** When the media to ffmpeg stopped. */
  endedAt?: number;
  transport?: types.PlainTransport;
  ffmpeg?: ChildProcess;
  exited?: Promise<void>;
  stopping?: Promise<void>;
  keyFrames?: NodeJS.Timeout[];
  /** Where ffmpeg listens for RTCP, and the SSRC it receives: to say BYE. */
  rtcpPort?: number;
  ssrc?: number;
}

const LOCAL_IP = '127.0.0.1';
/** Rationale: ffmpeg binds its ports within ~100 ms of reading the SDP; 5 s means it failed to start. */
const FFMPEG_READY_TIMEOUT_MS = 5_000;
/** Rationale: ffmpeg polls its sockets every 100 ms and needs well under a second to write the index. */
const FFMPEG_BYE_TIMEOUT_MS = 3_000;
/** Rationale: past this, ffmpeg hung; the file is listed as failed rather than holding up the call's end. */
const FFMPEG_STOP_TIMEOUT_MS = 6_000;
/** Key frames asked for after ffmpeg is listening: the first must reach it, and it needs one to start a file. */
const KEY_FRAME_AT_MS = [0, 300, 800, 1_500, 3_000];

export function createRecorder(deps: RecorderDeps) {
  const recordings = new Map<string, Recording>();
  const watchedRouters = new WeakSet<types.Router>();
  const watchedTransports = new WeakSet<types.Transport>();
  let closed = false;

  /**
   * Starts recording the room's producers, present and future. Safe to call again: on every join, so routers
   * added later (a room spread over workers) and transports made before the first call are covered.
   */
  function watchRoom(room: RecordableRoom, meta: RoomRecordingMeta): void {
    if (closed || room.closed) return;
    const watchTransport = (router: types.Router, transport: types.Transport): void => {
      // Pipe transports carry copies of producers of another router (a room spread over workers).
      if (watchedTransports.has(transport) || transport.constructor.name === 'PipeTransport') return;
      watchedTransports.add(transport);
      transport.observer.on('newproducer', (producer) => void start(room.id, router, producer, meta));
    };
    for (const router of room.routers) {
      if (watchedRouters.has(router)) continue;
      watchedRouters.add(router);
      router.observer.on('newtransport', (transport) => watchTransport(router, transport));
    }
    for (const peer of room.peers.values()) {
      for (const transport of peer.transports.values()) watchTransport(peer.router, transport);
      for (const producer of peer.producers.values()) void start(room.id, peer.router, producer, meta);
    }
  }

  async function start(roomId: string, router: types.Router, producer: types.Producer, meta: RoomRecordingMeta): Promise<void> {
    if (closed || recordings.has(producer.id) || producer.closed) return;
    const appData = producer.appData as ProducerAppData;
    const participantId = typeof appData.peerId === 'string' ? appData.peerId : 'unknown';
    const source = typeof appData.source === 'string' ? appData.source : producer.kind;
    const startedAt = deps.clock.now();
    const rec: Recording = { id: '', roomId, producerId: producer.id, kind: producer.kind, file: '', startedAt };
    recordings.set(producer.id, rec);
    try {
      const ports = await freeUdpPair();
      const transport = await router.createPlainTransport({ listenIp: LOCAL_IP, rtcpMux: false, comedia: false, appData: { recording: true } });
      rec.transport = transport;
      await transport.connect({ ip: LOCAL_IP, port: ports.rtp, rtcpPort: ports.rtcp });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
      const codec = consumer.rtpParameters.codecs[0];
      if (!codec) throw new Error('consumer has no codec');
      rec.rtcpPort = ports.rtcp;
      rec.ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
      const day = new Date(startedAt).toISOString().slice(0, 10);
      const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
      rec.file = path.join(day, safe(roomId), `${startedAt}-${safe(participantId)}-${safe(source)}-${safe(producer.id).slice(0, 8)}.${containerFor(codec.mimeType)}`);
      const absolute = path.join(deps.dir, rec.file);
      await mkdir(path.dirname(absolute), { recursive: true });
      const [row] = await deps.db
        .insert(videoRecordings)
        .values({
          roomId, sessionId: meta.sessionId, ticketId: meta.ticketId, participantId, producerId: producer.id, kind: producer.kind,
          source, file: rec.file, status: 'recording', nodeId: deps.nodeId, startedAt: new Date(startedAt),
        })
        .returning({ id: videoRecordings.id });
      rec.id = row?.id ?? '';
      await repo.appendEvent(deps.db, {
        roomId, sessionId: meta.sessionId, ticketId: meta.ticketId, type: 'recordingStarted', actorKind: 'system', at: new Date(startedAt),
        data: { recordingId: rec.id, participantId, source, kind: producer.kind, codec: codec.mimeType },
      });

      const sdp = recordingSdp({ kind: producer.kind, ip: LOCAL_IP, rtpPort: ports.rtp, rtcpPort: ports.rtcp, codec });
      const ffmpeg = spawn(
        deps.ffmpegBin,
        [
          '-hide_banner', '-loglevel', 'error', '-nostats',
          '-protocol_whitelist', 'pipe,udp,rtp',
          // Rationale: ffmpeg probes its input before writing anything; the default 5 s would lose short calls
          // entirely. A key frame is asked for as soon as it listens, so 1.5 s is enough to learn the size.
          '-analyzeduration', '1500000',
          '-fflags', '+genpts',
          '-f', 'sdp', '-i', 'pipe:0',
          '-map', '0', '-c', 'copy',
          '-y', absolute,
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      rec.ffmpeg = ffmpeg;
      let stderr = '';
      ffmpeg.stderr?.on('data', (chunk: Buffer) => {
        if (stderr.length < 4_000) stderr += chunk.toString();
      });
      rec.exited = new Promise<void>((resolve) => {
        ffmpeg.once('exit', () => resolve());
        ffmpeg.once('error', (err) => {
          stderr += String(err);
          resolve();
        });
      });
      ffmpeg.stdin?.end(sdp);
      (rec as Recording & { stderr: () => string }).stderr = () => stderr;

      consumer.observer.once('close', () => void stop(rec));
      if (producer.closed || closed) {
        void stop(rec);
        return;
      }
      await waitForUdpListener(ports.rtp, FFMPEG_READY_TIMEOUT_MS, rec.exited);
      if (consumer.closed) return;
      await consumer.resume();
      // The file covers the media from here: what the producer sent while ffmpeg started is not in it.
      rec.startedAt = deps.clock.now();
      await deps.db.update(videoRecordings).set({ startedAt: new Date(rec.startedAt) }).where(eq(videoRecordings.id, rec.id));
      if (producer.kind === 'video') {
        rec.keyFrames = KEY_FRAME_AT_MS.map((ms) =>
          setTimeout(() => {
            if (!consumer.closed) consumer.requestKeyFrame().catch(() => undefined);
          }, ms),
        );
      }
    } catch (err) {
      deps.log.error({ err, roomId, producerId: producer.id }, 'recording failed to start');
      await stop(rec, err instanceof Error ? err.message : String(err));
    }
  }

  function stop(rec: Recording, failure?: string): Promise<void> {
    rec.stopping ??= (async () => {
      rec.endedAt = deps.clock.now();
      for (const t of rec.keyFrames ?? []) clearTimeout(t);
      rec.transport?.close();
      const ffmpeg = rec.ffmpeg;
      if (ffmpeg && ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
        // An RTCP BYE is how an RTP sender says it is done: ffmpeg's RTP input then ends like a file, and ffmpeg
        // writes the container's index and exits. (SIGINT does not do: ffmpeg only notices it between packets,
        // and once the media has stopped none come; a second SIGINT aborts the index too.)
        if (rec.rtcpPort && rec.ssrc !== undefined) await sendBye(rec.rtcpPort, rec.ssrc).catch(() => undefined);
        const interrupt = setTimeout(() => ffmpeg.kill('SIGINT'), FFMPEG_BYE_TIMEOUT_MS);
        const kill = setTimeout(() => ffmpeg.kill('SIGKILL'), FFMPEG_STOP_TIMEOUT_MS);
        await rec.exited;
        clearTimeout(interrupt);
        clearTimeout(kill);
      }
      await finalise(rec, failure);
      recordings.delete(rec.producerId);
    })();
    return rec.stopping;
  }

  async function finalise(rec: Recording, failure?: string): Promise<void> {
    if (!rec.id) return;
    const endedAt = rec.endedAt ?? deps.clock.now();
    const absolute = path.join(deps.dir, rec.file);
    let result: { status: 'stored' | 'failed'; sha256: string | null; bytes: number | null; durationMs: number | null; error: string | null };
    try {
      if (failure) throw new Error(failure);
      const info = await stat(absolute);
      if (info.size === 0) throw new Error('empty file');
      const [sha256, durationMs] = await Promise.all([sha256File(absolute), probeDurationMs(deps.ffprobeBin, absolute)]);
      result = { status: 'stored', sha256, bytes: info.size, durationMs, error: null };
    } catch (err) {
      const stderr = (rec as Recording & { stderr?: () => string }).stderr?.() ?? '';
      const message = `${err instanceof Error ? err.message : String(err)}${stderr ? `: ${stderr.trim().slice(0, 500)}` : ''}`;
      result = { status: 'failed', sha256: null, bytes: null, durationMs: null, error: message };
    }
    try {
      const [row] = await deps.db
        .update(videoRecordings)
        .set({ ...result, endedAt: new Date(endedAt) })
        .where(eq(videoRecordings.id, rec.id))
        .returning();
      await repo.appendEvent(deps.db, {
        roomId: rec.roomId, sessionId: row?.sessionId ?? null, ticketId: row?.ticketId ?? null,
        type: result.status === 'stored' ? 'recordingStored' : 'recordingFailed', actorKind: 'system', at: new Date(endedAt),
        data: { recordingId: rec.id, file: rec.file, sha256: result.sha256, bytes: result.bytes, durationMs: result.durationMs, ...(result.error ? { error: result.error } : {}) },
      });
    } catch (err) {
      deps.log.error({ err, recordingId: rec.id }, 'could not store the recording result');
    }
  }

  /** Stops every recording of a room and waits until each file is hashed and listed. */
  async function stopRoom(roomId: string): Promise<void> {
    await Promise.all([...recordings.values()].filter((r) => r.roomId === roomId).map((r) => stop(r)));
  }

  /**
   * Recordings a previous run of this node left "recording" (it crashed or was killed mid-call: nothing
   * finished them) are closed as failed, keeping the partial file's hash and size as evidence. `anyNode`
   * (a single node, no cluster) also takes rows of other node ids and of before migration 0010: with one
   * node, every unfinished recording was this node's.
   */
  async function recoverInterrupted(options: { anyNode: boolean }): Promise<number> {
    const left = await deps.db
      .select()
      .from(videoRecordings)
      .where(and(eq(videoRecordings.status, 'recording'), ...(options.anyNode ? [] : [eq(videoRecordings.nodeId, deps.nodeId)])));
    const running = new Set([...recordings.values()].map((r) => r.id));
    let closedRows = 0;
    for (const row of left) {
      if (running.has(row.id)) continue;
      const absolute = path.join(deps.dir, row.file);
      const partial = await stat(absolute).then(async (info) => ({ bytes: info.size, sha256: await sha256File(absolute) }), () => null);
      const error = `interrupted: the media node stopped while recording${partial ? ' (the partial file is kept)' : ' (no file)'}`;
      const endedAt = new Date(deps.clock.now());
      const [updated] = await deps.db
        .update(videoRecordings)
        .set({ status: 'failed', sha256: partial?.sha256 ?? null, bytes: partial?.bytes ?? null, durationMs: null, error, endedAt })
        .where(and(eq(videoRecordings.id, row.id), eq(videoRecordings.status, 'recording')))
        .returning({ id: videoRecordings.id });
      if (!updated) continue;
      await repo.appendEvent(deps.db, {
        roomId: row.roomId, sessionId: row.sessionId, ticketId: row.ticketId, type: 'recordingFailed', actorKind: 'system', at: endedAt,
        data: { recordingId: row.id, file: row.file, sha256: partial?.sha256 ?? null, bytes: partial?.bytes ?? null, durationMs: null, error },
      });
      closedRows++;
    }
    return closedRows;
  }

  return {
    watchRoom,
    stopRoom,
    recoverInterrupted,
    /** Recordings still running (for operations and tests). */
    active(): number {
      return [...recordings.values()].filter((r) => !r.stopping).length;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...recordings.values()].map((r) => stop(r)));
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The container's duration as ffprobe reads it; null when ffprobe is missing or cannot tell. */
export function probeDurationMs(ffprobeBin: string, file: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(ffprobeBin, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', () => resolve(null));
    child.once('exit', () => {
      const seconds = Number.parseFloat(out.trim());
      resolve(Number.isFinite(seconds) ? Math.round(seconds * 1000) : null);
    });
  });
}

/** Two adjacent free UDP ports (RTP even, RTCP odd) for ffmpeg to listen on, as RTP/AVP expects. */
async function freeUdpPair(): Promise<{ rtp: number; rtcp: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindUdp(0);
    const port = (first.address() as { port: number }).port;
    const rtp = port % 2 === 0 ? port : port + 1;
    const sockets = [first];
    try {
      if (rtp !== port) sockets.push(await bindUdp(rtp));
      sockets.push(await bindUdp(rtp + 1));
      return { rtp, rtcp: rtp + 1 };
    } catch {
      // taken: try another pair
    } finally {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  }
  throw new Error('no free UDP port pair for recording');
}

/** RTCP BYE (RFC 3550 §6.6) for one SSRC, with a reason so it is 12 bytes: ffmpeg ignores shorter packets. */
async function sendBye(port: number, ssrc: number): Promise<void> {
  const bye = Buffer.alloc(12);
  bye[0] = 0x81; // V=2, one SSRC
  bye[1] = 203; // BYE
  bye.writeUInt16BE(2, 2); // length in 32-bit words, minus one
  bye.writeUInt32BE(ssrc, 4);
  bye[8] = 3;
  bye.write('end', 9, 'ascii');
  const socket = dgram.createSocket('udp4');
  try {
    // UDP may drop one; three costs nothing.
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => socket.send(bye, port, LOCAL_IP, (err) => (err ? reject(err) : resolve())));
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    socket.close();
  }
}

function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, LOCAL_IP, () => resolve(socket));
  });
}

/**
 * Waits until some process listens on a UDP port, reading /proc/net/udp (Linux) rather than probing with
 * a bind, which would race ffmpeg for the port. Without /proc it waits one second instead.
 */
async function waitForUdpListener(port: number, timeoutMs: number, exited: Promise<void> | undefined): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let gone = false;
  void exited?.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone) {
    let tables: string[];
    try {
      tables = await Promise.all(['/proc/net/udp', '/proc/net/udp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
    } catch {
      tables = [];
    }
    if (tables.every((t) => t === '')) {
      await new Promise((r) => setTimeout(r, 1_000));
      return;
    }
    const bound = tables.some((t) => t.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(`:${hex}`)));
    if (bound) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (gone) throw new Error('ffmpeg exited before listening');
}
