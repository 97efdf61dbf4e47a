/**
 * Media nodes in Redis: each node (YC_MEDIA_REGION set) heartbeats its record (region, address, load) under
 * a key that expires after three missed beats, so a node killed with SIGKILL is gone within 3 s; every node
 * (API nodes too) keeps a snapshot of the live ones for placing participants (core/placement.ts), and reads
 * the room's set at each placement to prefer a node already hosting it. Rooms that span nodes find each other
 * through that per-room set and talk over pub/sub, one channel per node.
 *
 * Keys, all under YC_REDIS_PREFIX:
 *   <p>:media:nodes          set of node ids that have registered (pruned as their records expire)
 *   <p>:media:node:<id>      that node's record (JSON), PX = 3 heartbeats
 *   <p>:media:room:<roomId>  set of node ids hosting the room
 *   <p>:media:to:<id>        pub/sub channel of cascade messages for node <id>
 */
import type { Redis } from 'ioredis';
import type { CascadeBus, CascadeMessage, RoomDirectory } from '@yichuang/sfu';
import { placeParticipant, type MediaNodeRecord } from './core/placement.ts';

/** What a join is placed for: the participant's region and room, and the node it has just lost, if any. */
export interface PlaceRequest {
  region: string | undefined;
  roomId: string;
  lost?: string | undefined;
}

// Rationale: a room lives hours at most; a day bounds what a crashed node leaves behind.
const ROOM_SET_TTL_SEC = 86_400;

export interface MediaNodesDeps {
  redis: Redis;
  prefix: string;
  heartbeatMs: number;
  /** This process's own record, when it is a registered media node. */
  self?: () => MediaNodeRecord;
  /** After every refresh: the ids of the live nodes. */
  onRefresh?: (alive: ReadonlySet<string>) => void;
  onError?: (error: unknown) => void;
}

export interface MediaNodes {
  /** Live nodes as of the last refresh. */
  live(): readonly MediaNodeRecord[];
  /**
   * The node for a participant (core/placement.ts), preferring one of its region already hosting its room (one
   * read of the room's set; without Redis, placed as if no node hosted it).
   */
  place(request: PlaceRequest): Promise<MediaNodeRecord | undefined>;
  /** One heartbeat (when a media node) and one read of the registry; the timer calls it every heartbeat. */
  refresh(): Promise<void>;
  /** Forgets this node at once (a graceful stop), so nobody is sent here meanwhile. Idempotent. */
  close(): Promise<void>;
}

const keys = (prefix: string) => ({
  nodes: `${prefix}:media:nodes`,
  node: (id: string) => `${prefix}:media:node:${id}`,
  room: (roomId: string) => `${prefix}:media:room:${roomId}`,
  channel: (id: string) => `${prefix}:media:to:${id}`,
});

function parseRecord(raw: string | null): MediaNodeRecord | undefined {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as MediaNodeRecord;
  } catch {
    return undefined;
  }
}

/** Ids of `ids` whose records still exist; the others are dropped from the node set. */
async function aliveOf(redis: Redis, prefix: string, ids: string[]): Promise<{ records: MediaNodeRecord[]; dead: string[] }> {
  const k = keys(prefix);
  if (ids.length === 0) return { records: [], dead: [] };
  const raws = await redis.mget(ids.map(k.node));
  const records: MediaNodeRecord[] = [];
  const dead: string[] = [];
  ids.forEach((id, i) => {
    const record = parseRecord(raws[i] ?? null);
    if (record) records.push(record);
    else dead.push(id);
  });
  return { records, dead };
}

export function createMediaNodes(deps: MediaNodesDeps): MediaNodes {
  const k = keys(deps.prefix);
  let snapshot: MediaNodeRecord[] = [];
  let closed = false;
  let running: Promise<void> | undefined;

  async function beatAndRead(): Promise<void> {
    const self = deps.self?.();
    if (self && !closed) {
      await deps.redis.multi().set(k.node(self.id), JSON.stringify(self), 'PX', deps.heartbeatMs * 3).sadd(k.nodes, self.id).exec();
    }
    const { records, dead } = await aliveOf(deps.redis, deps.prefix, await deps.redis.smembers(k.nodes));
    if (dead.length > 0) await deps.redis.srem(k.nodes, ...dead);
    snapshot = records;
    deps.onRefresh?.(new Set(records.map((r) => r.id)));
  }

  const nodes: MediaNodes = {
    live: () => snapshot,
    async place({ region, roomId, lost }) {
      let hosting: Set<string> | undefined;
      try {
        hosting = new Set(await deps.redis.smembers(k.room(roomId)));
      } catch (error) {
        deps.onError?.(error);
      }
      return placeParticipant(snapshot, region, { ...(hosting ? { hosting } : {}), lost });
    },
    refresh() {
      // One at a time: a slow Redis must not pile up beats.
      running ??= beatAndRead().finally(() => {
        running = undefined;
      });
      return running;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      const id = deps.self?.().id;
      if (id) await deps.redis.multi().del(k.node(id)).srem(k.nodes, id).exec().catch(deps.onError);
    },
  };
  // Once per outage, not once a second: Redis being down is reported elsewhere too.
  let failing = false;
  const timer = setInterval(
    () =>
      void nodes.refresh().then(
        () => (failing = false),
        (error: unknown) => {
          if (!failing) deps.onError?.(error);
          failing = true;
        },
      ),
    deps.heartbeatMs,
  );
  timer.unref();
  return nodes;
}

/** The rooms each node hosts, for rooms that span nodes. */
export function createRoomDirectory(redis: Redis, prefix: string, nodeId: string): RoomDirectory {
  const k = keys(prefix);
  return {
    async enter(roomId) {
      const [, , members] = (await redis.multi().sadd(k.room(roomId), nodeId).expire(k.room(roomId), ROOM_SET_TTL_SEC).smembers(k.room(roomId)).exec()) ?? [];
      const ids = ((members?.[1] as string[] | undefined) ?? []).filter((id) => id !== nodeId);
      const { records, dead } = await aliveOf(redis, prefix, ids);
      if (dead.length > 0) await redis.srem(k.room(roomId), ...dead);
      return records.map((r) => r.id);
    },
    async leave(roomId) {
      await redis.srem(k.room(roomId), nodeId);
    },
  };
}

export interface RedisCascadeBus extends CascadeBus {
  close(): Promise<void>;
}

/**
 * Cascade messages over pub/sub: this node listens on its own channel (on `subscriber`, a connection of its
 * own, as subscribing takes a connection over) and publishes to the others'. Pub/sub keeps one publisher's
 * messages in order, which the cascade relies on; a message to a dead node is simply lost.
 */
export async function createRedisCascadeBus(
  redis: Redis,
  subscriber: Redis,
  prefix: string,
  nodeId: string,
  receive: (message: CascadeMessage) => void,
  onError?: (error: unknown) => void,
): Promise<RedisCascadeBus> {
  const k = keys(prefix);
  const channel = k.channel(nodeId);
  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    let message: CascadeMessage;
    try {
      message = JSON.parse(raw) as CascadeMessage;
    } catch (error) {
      onError?.(error);
      return;
    }
    receive(message);
  });
  await subscriber.subscribe(channel);
  return {
    send(to, message) {
      redis.publish(k.channel(to), JSON.stringify(message)).catch((error: unknown) => onError?.(error));
    },
    async close() {
      await subscriber.unsubscribe(channel).catch(() => undefined);
      subscriber.disconnect();
    },
  };
}
