/**
 * What is already known about the places left in each slot, so a release-time burst for a full slot is
 * refused without touching the database. Memory on one node; Redis when several nodes share the work, so a
 * slot found full on one node is refused at once on every other, and a place given back on one is offered
 * again on all.
 *
 * Only refusals are answered from here: a place is granted solely by the database's conditional update
 * (appointments.repository `takePlace`), so this can never cause an overbooking. What it can cause is a
 * refusal of a place freed an instant ago. Every path that gives places back forgets the slot after its
 * commit, and each entry lives at most KNOWN_FOR_MS, which bounds the one race left (a booking's "now full"
 * written just after a concurrent cancellation's "forget").
 */
import type { Redis } from 'ioredis';

export interface SlotPlaces {
  /** True only when the slot is known to have no place left; unknown means ask the database. */
  knownFull(serviceId: string, startMs: number): Promise<boolean>;
  /** Records what the database just said about the slot: `remaining` = capacity − booked. */
  learn(serviceId: string, startMs: number, remaining: number): Promise<void>;
  /** A place in the slot was given back: what was known no longer holds. */
  forget(serviceId: string, startMs: number): Promise<void>;
  /** The item's capacities changed (new rules): forget all its slots. */
  forgetService(serviceId: string): Promise<void>;
}

/**
 * Rationale: 2 s bounds a stale "full" (the race above, or a node that missed a forget while Redis was
 * away) to what a refresh costs a citizen, while a burst asks the database about a full slot at most once
 * every 2 s per node.
 */
export const KNOWN_FOR_MS = 2_000;
/**
 * Rationale: only drops the hash of an item nobody books any more; each field's freshness is its own
 * `until`, read against the app's clock.
 */
const REDIS_HASH_TTL_MS = 60_000;
/** Rationale: a horizon of weeks × a few hundred items × ~20 slots a day stays far below this. */
const MAX_SLOTS_IN_MEMORY = 100_000;

export function createMemorySlotPlaces(now: () => number): SlotPlaces {
  const known = new Map<string, { remaining: number; until: number }>();
  const key = (serviceId: string, startMs: number) => `${serviceId}|${startMs}`;
  return {
    async knownFull(serviceId, startMs) {
      const k = known.get(key(serviceId, startMs));
      return k !== undefined && k.until > now() && k.remaining <= 0;
    },
    async learn(serviceId, startMs, remaining) {
      if (known.size >= MAX_SLOTS_IN_MEMORY) {
        const t = now();
        for (const [k, v] of known) if (v.until <= t) known.delete(k);
        if (known.size >= MAX_SLOTS_IN_MEMORY) known.clear();
      }
      known.set(key(serviceId, startMs), { remaining, until: now() + KNOWN_FOR_MS });
    },
    async forget(serviceId, startMs) {
      known.delete(key(serviceId, startMs));
    },
    async forgetService(serviceId) {
      for (const k of known.keys()) if (k.startsWith(`${serviceId}|`)) known.delete(k);
    },
  };
}

/** Rationale: as for rate limits, a lookup must never hold a booking up; past this it is "unknown". */
const REDIS_TIMEOUT_MS = 200;

/**
 * One Redis hash per item, a field per slot holding `remaining:untilMs`, so that new rules forget an item's
 * slots with one DEL. While Redis is unreachable nothing is known and every booking asks the database.
 */
export function createRedisSlotPlaces(redis: Redis, prefix: string, now: () => number): SlotPlaces {
  const hash = (serviceId: string) => `${prefix}:slot-places:${serviceId}`;
  async function bounded<T>(op: () => Promise<T>, fallback: T): Promise<T> {
    if (redis.status !== 'ready') return fallback;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), REDIS_TIMEOUT_MS);
    });
    try {
      return await Promise.race([op().catch(() => fallback), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    knownFull: (serviceId, startMs) => bounded(async () => {
      const v = await redis.hget(hash(serviceId), String(startMs));
      if (v === null) return false;
      const [remaining, until] = v.split(':').map(Number);
      return (until ?? 0) > now() && (remaining ?? 1) <= 0;
    }, false),
    learn: (serviceId, startMs, remaining) => bounded(async () => {
      await redis.multi().hset(hash(serviceId), String(startMs), `${remaining}:${now() + KNOWN_FOR_MS}`).pexpire(hash(serviceId), REDIS_HASH_TTL_MS).exec();
    }, undefined),
    forget: (serviceId, startMs) => bounded(async () => void (await redis.hdel(hash(serviceId), String(startMs))), undefined),
    forgetService: (serviceId) => bounded(async () => void (await redis.del(hash(serviceId))), undefined),
  };
}
