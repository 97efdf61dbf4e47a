/**
 * A site's items (services), cached. Every ticket issue and every wait estimate needs them, and they change
 * only when an administrator adds one. Rationale for the TTL: an item added on another node becomes
 * known here at once (a miss reloads its site), and a changed target is picked up within half a minute.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { services } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import type { ServiceRow } from './queue.repository.ts';

const TTL_MS = 30_000;

export interface ServiceCatalog {
  /** The item, or undefined when no site has it. */
  get(serviceId: string): Promise<ServiceRow | undefined>;
  forSite(siteId: string): Promise<ServiceRow[]>;
}

export function createServiceCatalog(db: Db, clock: Clock): ServiceCatalog {
  const bySite = new Map<string, { at: number; rows: Promise<ServiceRow[]> }>();
  const siteOf = new Map<string, string>();

  function load(siteId: string): Promise<ServiceRow[]> {
    const rows = db.select().from(services).where(eq(services.siteId, siteId));
    const entry = { at: clock.now(), rows: Promise.resolve(rows) };
    bySite.set(siteId, entry);
    entry.rows.then(
      (list) => list.forEach((s) => siteOf.set(s.id, s.siteId)),
      () => bySite.get(siteId) === entry && bySite.delete(siteId),
    );
    return entry.rows;
  }

  async function forSite(siteId: string): Promise<ServiceRow[]> {
    const cached = bySite.get(siteId);
    if (cached && clock.now() - cached.at < TTL_MS) return cached.rows;
    return load(siteId);
  }

  return {
    forSite,
    async get(serviceId) {
      const siteId = siteOf.get(serviceId);
      if (siteId) {
        const found = (await forSite(siteId)).find((s) => s.id === serviceId);
        if (found) return found;
      }
      const [row] = await db.select().from(services).where(eq(services.id, serviceId)).limit(1);
      if (!row) return undefined;
      return (await load(row.siteId)).find((s) => s.id === serviceId) ?? row;
    },
  };
}
