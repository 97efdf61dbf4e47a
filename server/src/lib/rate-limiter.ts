/**
 * Fixed-window counters keyed by what is limited (an address, a person). Redis when present, so every node
 * counts together; memory otherwise.
 */
import type { Redis } from 'ioredis';

export interface RateDecision { allowed: boolean; retryAfterSec: number; count: number }

export interface RateLimiter {
  hit(key: string, limit: number, windowSec: number): Promise<RateDecision>;
  reset(key: string): Promise<void>;
}

export function createMemoryRateLimiter(now: () => number): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hit(key, limit, windowSec) {
      const t = now();
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + windowSec * 1000 };
        windows.set(key, w);
        // Rationale: cap memory under an address-rotating flood; old windows are worthless anyway.
        if (windows.size > 100_000) for (const [k, v] of windows) if (v.resetAt <= t) windows.delete(k);
      }
      w.count++;
      return { allowed: w.count <= limit, retryAfterSec: Math.ceil((w.resetAt - t) / 1000), count: w.count };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

/** Rationale: a limit check must never hold a request up; past this, the node counts on its own. */
const REDIS_LIMIT_TIMEOUT_MS = 200;

/**
 * Counts in Redis so every node limits together. While Redis is unreachable each node falls back to its own
 * memory counters: limits stay in force (per node) and the hall keeps issuing tickets.
 */
export function createRedisRateLimiter(redis: Redis, prefix: string, now: () => number): RateLimiter {
  const fallback = createMemoryRateLimiter(now);
  async function shared(key: string, limit: number, windowSec: number): Promise<RateDecision> {
    const k = `${prefix}:rl:${key}`;
    const [[, count], [, ttl]] = (await redis.multi().incr(k).ttl(k).exec()) as [[null, number], [null, number]];
    if (ttl < 0) await redis.expire(k, windowSec);
    return { allowed: count <= limit, retryAfterSec: ttl > 0 ? ttl : windowSec, count };
  }
  return {
    async hit(key, limit, windowSec) {
      if (redis.status !== 'ready') return fallback.hit(key, limit, windowSec);
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), REDIS_LIMIT_TIMEOUT_MS).unref());
      const decision = await Promise.race([shared(key, limit, windowSec).catch(() => null), timeout]);
      return decision ?? fallback.hit(key, limit, windowSec);
    },
    async reset(key) {
      await fallback.reset(key);
      if (redis.status === 'ready') await redis.del(`${prefix}:rl:${key}`).catch(() => undefined);
    },
  };
}
