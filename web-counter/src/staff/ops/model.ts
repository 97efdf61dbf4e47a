/**
 * The supervisor dashboard's numbers, pure: live per-site figures (waiting, oldest waiting ticket, open
 * windows, at-risk alerts) rolled up the site tree, joined with the server's statistics for today.
 */
import type { SiteTreeNode, StatsView } from '@yichuang/server/contracts';

export interface SiteLive {
  /** Waiting tickets now (from queue.changed, or the tree's count until the first event). */
  waiting: number;
  /** Issue time (ms) of the longest-waiting ticket, or null when nobody waits. */
  oldestIssuedAt: number | null;
  /** Waiting tickets already past their due time. */
  late: number;
  openWindows: number;
  totalWindows: number;
  alerts: number;
}

export interface SiteRow {
  key: string;
  site: SiteTreeNode;
  depth: number;
  /** This site and everything below it. */
  waiting: number;
  oldestIssuedAt: number | null;
  longestWaitMin: number | null;
  late: number;
  openWindows: number;
  totalWindows: number;
  alerts: number;
  /** From the server's statistics (rolled up by `includeChildren`); null until loaded or when absent. */
  stats: StatsView | null;
  utilisation: number | null;
  children?: SiteRow[];
}

export const EMPTY_LIVE: SiteLive = { waiting: 0, oldestIssuedAt: null, late: 0, openWindows: 0, totalWindows: 0, alerts: 0 };

/**
 * Utilisation of the clerks who worked: 1 − idle share, weighted by the calls each made (a clerk who called
 * twice says little about the hall).
 */
export function utilisation(stats: StatsView | null): number | null {
  if (!stats) return null;
  let weight = 0;
  let busy = 0;
  for (const c of stats.clerks) {
    if (c.idleShare === null || c.calls === 0) continue;
    weight += c.calls;
    busy += (1 - c.idleShare) * c.calls;
  }
  return weight > 0 ? busy / weight : null;
}

export function buildRows(
  nodes: SiteTreeNode[],
  live: ReadonlyMap<string, SiteLive>,
  stats: ReadonlyMap<string, StatsView>,
  now: number,
  depth = 0,
): SiteRow[] {
  return nodes.map((site) => {
    const own = live.get(site.id) ?? { ...EMPTY_LIVE, waiting: site.waiting };
    const children = buildRows(site.children, live, stats, now, depth + 1);
    let waiting = own.waiting;
    let oldest = own.oldestIssuedAt;
    let late = own.late;
    let openWindows = own.openWindows;
    let totalWindows = own.totalWindows;
    let alerts = own.alerts;
    for (const c of children) {
      waiting += c.waiting;
      late += c.late;
      openWindows += c.openWindows;
      totalWindows += c.totalWindows;
      alerts += c.alerts;
      if (c.oldestIssuedAt !== null) oldest = oldest === null ? c.oldestIssuedAt : Math.min(oldest, c.oldestIssuedAt);
    }
    const s = stats.get(site.id) ?? null;
    return {
      key: site.id,
      site,
      depth,
      waiting,
      oldestIssuedAt: oldest,
      longestWaitMin: oldest === null ? null : Math.max(0, Math.floor((now - oldest) / 60_000)),
      late,
      openWindows,
      totalWindows,
      alerts,
      stats: s,
      utilisation: utilisation(s),
      ...(children.length ? { children } : {}),
    };
  });
}

export function flattenRows(rows: SiteRow[]): SiteRow[] {
  const out: SiteRow[] = [];
  const walk = (list: SiteRow[]) => {
    for (const r of list) {
      out.push(r);
      if (r.children) walk(r.children);
    }
  };
  walk(rows);
  return out;
}
