/**
 * The site tree, cached: it changes rarely and every authorisation check asks it. Staff of a site may act
 * on the sites below it (a district supervisor sees its sub-centres).
 */
import type { Db, Tx } from '../db/client.ts';
import { sites } from '../db/schema/index.ts';
import type { StaffUser } from '../contracts/dto.ts';

export type SiteRow = typeof sites.$inferSelect;

/** Rationale: other nodes' new sites appear within this many ms without any cross-node messaging. */
const TTL_MS = 30_000;

export interface SiteDirectoryDeps {
  db: Db;
  now: () => number;
  /**
   * Called on every read without the caller's transaction, cached or not: a cache that hides a root read
   * inside a transaction until it expires would hide the bug until a busy afternoon (see db/transaction-scope.ts).
   */
  checkRootRead?: (what: string) => void;
}

export function createSiteDirectory(deps: SiteDirectoryDeps) {
  let cache: { at: number; byId: Map<string, SiteRow>; children: Map<string, string[]> } | null = null;

  /** `via`: the caller's transaction, when it holds one (a root query inside it would wait on it). */
  async function load(via?: Tx) {
    if (!via) deps.checkRootRead?.('site directory read');
    if (cache && deps.now() - cache.at < TTL_MS) return cache;
    const rows = await (via ?? deps.db).select().from(sites);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const children = new Map<string, string[]>();
    for (const r of rows) {
      if (!r.parentId) continue;
      const list = children.get(r.parentId) ?? [];
      list.push(r.id);
      children.set(r.parentId, list);
    }
    cache = { at: deps.now(), byId, children };
    return cache;
  }

  return {
    invalidate() {
      cache = null;
    },
    async get(siteId: string, via?: Tx): Promise<SiteRow | undefined> {
      return (await load(via)).byId.get(siteId);
    },
    async all(via?: Tx): Promise<SiteRow[]> {
      return [...(await load(via)).byId.values()];
    },
    async descendants(siteId: string, via?: Tx): Promise<string[]> {
      const c = await load(via);
      const out: string[] = [];
      const stack = [siteId];
      while (stack.length) {
        const id = stack.pop() as string;
        out.push(id);
        stack.push(...(c.children.get(id) ?? []));
      }
      return out;
    },
    /** Whether a staff member may act on a site: admin anywhere, others on their sites and below. */
    async canAccess(user: StaffUser, siteId: string, via?: Tx): Promise<boolean> {
      if (user.role === 'admin') return true;
      const c = await load(via);
      let cursor: string | null | undefined = siteId;
      // Walk up from the site: access to any ancestor grants access here.
      for (let depth = 0; cursor && depth < 16; depth++) {
        if (user.siteIds.includes(cursor)) return true;
        cursor = c.byId.get(cursor)?.parentId;
      }
      return false;
    },
  };
}

export type SiteDirectory = ReturnType<typeof createSiteDirectory>;
