/**
 * What is already known about the places left in each slot, so a release-time burst for a full slot is
 * refused without touching the database. Memory on one node; Redis when several nodes share the work, so a
 * slot found full on one node is refused at once on every other, and a place given back on one is offered
 * again on all.
 *
 * Only refusals are answered from here: a place is granted solely by the database's conditional update
 * (appointments.repository `takePlace`), so this can never cause an overbooking. What it must never do is
 * keep refusing a place given back. Each slot has a version, moved by every "forget" (a cancellation, a
 * move, new rules) after its commit: a count read from the database is recorded only if the version it was
 * read under is still current. So a booking's late "now full" cannot overwrite a concurrent cancellation:
 * either the cancellation's forget came first and the record is refused, or it comes after and removes it.
 * Entries also lapse after KNOWN_FOR_MS, a safety net for a forget that never ran (a crash between commit
 * and forget, Redis away at that moment).
 */
import type { Redis } from 'ioredis';

export interface SlotLook {
  /** True only when the slot is known to have no place left; otherwise ask the database. */
  full: boolean;
  /** Pass to `learn` with a count read from the database after this look; null: nothing may be recorded now. */
  version: string | null;
}

export interface SlotPlaces {
  look(serviceId: string, startMs: number): Promise<SlotLook>;
  /** Records `remaining` (capacity − booked) read from the database after `look` gave `version`. */
  learn(serviceId: string, startMs: number, version: string | null, remaining: number): Promise<void>;
  /** A place in the slot was given back (after the commit): what was known no longer holds. */
  forget(serviceId: string, startMs: number): Promise<void>;
  /** The item's capacities changed (new rules, after the commit): forget all its slots. */
  forgetService(serviceId: string): Promise<void>;
}

/**
 * Rationale: a safety net only (see above); a minute bounds a stale "full" after a crash mid-cancellation,
 * while a burst asks the database about each full slot about once a minute.
 */
export const KNOWN_FOR_MS = 60_000;
/** Rationale: a horizon of weeks × a few hundred items × ~20 slots a day stays far below this. */
const MAX_SLOTS_IN_MEMORY = 100_000;

export function createMemorySlotPlaces(now: () => number): SlotPlaces {
  const known = new Map<string, { remaining: number; until: number; version: string }>();
  const slotVersions = new Map<string, number>();
  const serviceVersions = new Map<string, number>();
  /** Moves when the slot versions are dropped to bound memory, so no version can come round again. */
  let epoch = 0;
  const key = (serviceId: string, startMs: number) => `${serviceId}|${startMs}`;
  const versionOf = (serviceId: string, k: string) => `${epoch}.${serviceVersions.get(serviceId) ?? 0}.${slotVersions.get(k) ?? 0}`;
  return {
    async look(serviceId, startMs) {
      const k = key(serviceId, startMs);
      const version = versionOf(serviceId, k);
      const entry = known.get(k);
      return { full: entry !== undefined && entry.version === version && entry.until > now() && entry.remaining <= 0, version };
    },
    async learn(serviceId, startMs, version, remaining) {
      const k = key(serviceId, startMs);
      if (version === null || version !== versionOf(serviceId, k)) return;
      if (known.size >= MAX_SLOTS_IN_MEMORY) {
        const t = now();
        for (const [kk, v] of known) if (v.until <= t) known.delete(kk);
        if (known.size >= MAX_SLOTS_IN_MEMORY) known.clear();
      }
      known.set(k, { remaining, until: now() + KNOWN_FOR_MS, version });
    },
    async forget(serviceId, startMs) {
      const k = key(serviceId, startMs);
      known.delete(k);
      if (slotVersions.size >= MAX_SLOTS_IN_MEMORY) {
        slotVersions.clear();
        known.clear();
        epoch++;
      }
      slotVersions.set(k, (slotVersions.get(k) ?? 0) + 1);
    },
    async forgetService(serviceId) {
      serviceVersions.set(serviceId, (serviceVersions.get(serviceId) ?? 0) + 1);
      for (const k of known.keys()) if (k.startsWith(`${serviceId}|`)) known.delete(k);
    },
  };
}

/** Rationale: as for rate limits, a lookup must never hold a booking up; past this it is "unknown". */
const REDIS_TIMEOUT_MS = 200;
/**
 * Rationale: the item's hash (entries and slot versions) outlives its last entry; the item's own version
 * key lives a day past its last change, far beyond any booking in flight.
 */
const REDIS_SERVICE_VERSION_TTL_SEC = 24 * 3600;

/** Records a count only if the slot's and the item's versions are still those it was read under. */
const LEARN = `
local sv = redis.call('GET', KEYS[2]) or '0'
local gv = redis.call('HGET', KEYS[1], 'v:' .. ARGV[1]) or '0'
if (sv .. '.' .. gv) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/**
 * One Redis hash per item: a field per slot holding `remaining:untilMs:version`, and `v:<slot>` its
 * version; the item's version in a key of its own. While Redis is unreachable nothing is known and every
 * booking asks the database.
 */
export function createRedisSlotPlaces(redis: Redis, prefix: string, now: () => number): SlotPlaces {
  const hash = (serviceId: string) => `${prefix}:slot-places:${serviceId}`;
  const serviceVersion = (serviceId: string) => `${prefix}:slot-places-version:${serviceId}`;
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
    look: (serviceId, startMs) => bounded<SlotLook>(async () => {
      const field = String(startMs);
      const [[, entry], [, slotVersion], [, itemVersion]] = (await redis.multi()
        .hget(hash(serviceId), field).hget(hash(serviceId), `v:${field}`).get(serviceVersion(serviceId)).exec()) as [[null, string | null], [null, string | null], [null, string | null]];
      const version = `${itemVersion ?? '0'}.${slotVersion ?? '0'}`;
      if (entry === null) return { full: false, version };
      const [remaining, until, entryVersion] = entry.split(':');
      return { full: entryVersion === version && Number(until) > now() && Number(remaining) <= 0, version };
    }, { full: false, version: null }),
    learn: (serviceId, startMs, version, remaining) => bounded(async () => {
      if (version === null) return;
      await redis.eval(LEARN, 2, hash(serviceId), serviceVersion(serviceId), String(startMs), version, `${remaining}:${now() + KNOWN_FOR_MS}:${version}`, String(KNOWN_FOR_MS * 2));
    }, undefined),
    forget: (serviceId, startMs) => bounded(async () => {
      const field = String(startMs);
      await redis.multi().hincrby(hash(serviceId), `v:${field}`, 1).hdel(hash(serviceId), field).pexpire(hash(serviceId), KNOWN_FOR_MS * 2).exec();
    }, undefined),
    forgetService: (serviceId) => bounded(async () => {
      await redis.multi().incr(serviceVersion(serviceId)).expire(serviceVersion(serviceId), REDIS_SERVICE_VERSION_TTL_SEC).del(hash(serviceId)).exec();
    }, undefined),
  };
}
