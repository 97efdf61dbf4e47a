/**
 * What happens inside the SFU's rooms, as far as the server cares: who joined and left, screen shares, the
 * quality of the call, recordings; and closing rooms whose session or ticket has ended.
 */
import type { MediaService, RoomEvent } from '@yichuang/sfu';
import type { Db } from '../db/client.ts';
import { sites } from '../db/schema/index.ts';
import { eq } from 'drizzle-orm';
import type { Clock } from '../lib/clock.ts';
import * as queueRepo from '../queue/queue.repository.ts';
import { addSample, emptyQuality, parseRoomId, summarise, type QualityAccumulator } from './core/index.ts';
import type { Recorder, RecordableRoom, RoomRecordingMeta } from './recording/recorder.ts';
import * as repo from './video.repository.ts';

interface RoomMeta extends RoomRecordingMeta {
  record: boolean;
}

export interface RoomActivityDeps {
  db: Db;
  clock: Clock;
  media: () => MediaService | undefined;
  recorder: Recorder;
  isRoomOpen: (roomId: string) => Promise<boolean>;
  log: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

export function createRoomActivity(deps: RoomActivityDeps) {
  const { db, clock } = deps;
  /** Rooms live on this node, with their quality so far. */
  const live = new Map<string, QualityAccumulator>();
  const metas = new Map<string, Promise<RoomMeta | null>>();

  async function loadMeta(roomId: string): Promise<RoomMeta | null> {
    const ref = parseRoomId(roomId);
    if (!ref) return null;
    if (ref.kind === 'assist') {
      const s = await repo.findSession(db, ref.sessionId);
      return s ? { sessionId: s.id, ticketId: s.ticketId, record: s.recorded } : null;
    }
    const t = await queueRepo.findTicket(db, ref.ticketId);
    if (!t) return null;
    const [site] = await db.select({ policy: sites.policy }).from(sites).where(eq(sites.id, t.siteId)).limit(1);
    return { sessionId: null, ticketId: t.id, record: site?.policy.recordSessions === true };
  }

  function metaOf(roomId: string): Promise<RoomMeta | null> {
    let m = metas.get(roomId);
    if (!m) {
      m = loadMeta(roomId);
      metas.set(roomId, m);
      m.catch(() => metas.delete(roomId));
    }
    return m;
  }

  const TYPES = { joined: 'joined', left: 'left', shareStarted: 'shareStarted', shareStopped: 'shareStopped' } as const;

  async function record(roomId: string, event: RoomEvent): Promise<void> {
    const meta = await metaOf(roomId);
    const citizen = event.participantId.startsWith('citizen:');
    await repo.appendEvent(db, {
      roomId, sessionId: meta?.sessionId ?? null, ticketId: meta?.ticketId ?? null, type: TYPES[event.type],
      actorKind: citizen ? 'citizen' : 'staff', actorId: event.participantId, at: new Date(clock.now()), data: null,
    });
    const room = deps.media()?.room(roomId);
    if (event.type === 'joined' || event.type === 'left') {
      const acc = live.get(roomId) ?? emptyQuality();
      live.set(roomId, addSample(acc, { participants: room?.peers.size ?? 0, consumerScores: [] }));
    }
    if (event.type === 'joined' && meta?.record && room) deps.recorder.watchRoom(room as unknown as RecordableRoom, meta);
  }

  /** The SFU's `onRoomEvent`: synchronous for the SFU, written to the log in the background. */
  function onRoomEvent(roomId: string, event: RoomEvent): void {
    record(roomId, event).catch((err: unknown) => deps.log.error({ err, roomId }, 'could not log a room event'));
  }

  function sampleRoom(roomId: string): void {
    const acc = live.get(roomId);
    const room = deps.media()?.room(roomId);
    if (!acc || !room) return;
    const scores: number[] = [];
    for (const peer of room.peers.values()) for (const c of peer.consumers.values()) scores.push(c.score.score);
    live.set(roomId, addSample(acc, { participants: room.peers.size, consumerScores: scores }));
  }

  /** One quality sample of every live room (consumer scores, participants). */
  function sample(): void {
    for (const roomId of live.keys()) sampleRoom(roomId);
  }

  /**
   * Ends a room for good: everyone in it gets `room.closed`, recordings are finished and listed, and the quality
   * summary is logged. Safe for a room this node never hosted.
   */
  async function closeRoom(roomId: string): Promise<void> {
    sampleRoom(roomId);
    deps.media()?.closeRoom(roomId, 'sessionEnded');
    await deps.recorder.stopRoom(roomId);
    const acc = live.get(roomId);
    if (!acc) return;
    live.delete(roomId);
    metas.delete(roomId);
    const meta = await metaOf(roomId);
    metas.delete(roomId);
    await repo.appendEvent(db, {
      roomId, sessionId: meta?.sessionId ?? null, ticketId: meta?.ticketId ?? null, type: 'quality', actorKind: 'system',
      at: new Date(clock.now()), data: { ...summarise(acc) },
    });
  }

  /** Closes live rooms whose session or ticket ended elsewhere (another node, a restart, a missed event). */
  async function closeStale(): Promise<number> {
    let n = 0;
    for (const roomId of [...live.keys()]) {
      if (await deps.isRoomOpen(roomId)) continue;
      await closeRoom(roomId);
      n += 1;
    }
    return n;
  }

  return { onRoomEvent, sample, closeRoom, closeStale, liveRooms: () => [...live.keys()] };
}

export type RoomActivity = ReturnType<typeof createRoomActivity>;
