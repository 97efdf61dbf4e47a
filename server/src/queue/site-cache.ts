/**
 * One value per site, read at most once per `maxAgeMs` and afresh after `forget`. For what the estimate
 * at issue needs besides the waiting queue (the windows): a kiosk rush would otherwise send a read per
 * forward play through the same connection pool its inserts are queueing for.
 */
export interface SiteCache<T> {
  get(siteId: string): Promise<T>;
  forget(siteId: string): void;
}

export function createSiteCache<T>(load: (siteId: string) => Promise<T>, options: { maxAgeMs: number; now: () => number }): SiteCache<T> {
  const entries = new Map<string, { startedAt: number; value: Promise<T> }>();
  return {
    get(siteId) {
      const entry = entries.get(siteId);
      if (entry && options.now() - entry.startedAt < options.maxAgeMs) return entry.value;
      for (const [id, e] of entries) if (options.now() - e.startedAt >= options.maxAgeMs) entries.delete(id);
      const fresh = { startedAt: options.now(), value: load(siteId) };
      // A failed read is not kept: the next caller tries again.
      fresh.value.catch(() => entries.get(siteId) === fresh && entries.delete(siteId));
      entries.set(siteId, fresh);
      return fresh.value;
    },
    forget(siteId) {
      entries.delete(siteId);
    },
  };
}
