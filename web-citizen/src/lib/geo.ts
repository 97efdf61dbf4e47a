/**
 * Distances and "where is this done soonest": pure functions, so they are tested without a browser.
 */
import type { SiteTreeNode } from './contract-types.ts';

export interface LatLng {
  lat: number;
  lng: number;
}

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(a: LatLng, b: LatLng): number {
  const R = 6371;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Expected door-to-door minutes. Rationale: under 1.5 km people walk (4.5 km/h); beyond, they take a bus
 * or drive through small towns at about 25 km/h door to door, plus 5 minutes to set off and park. Road
 * distance is about 1.3× the straight line in Qingpu's water-town grid.
 */
export function travelMinutes(km: number): number {
  const road = km * 1.3;
  if (road <= 1.5) return Math.max(1, Math.round((road / 4.5) * 60));
  return Math.round(5 + (road / 25) * 60);
}

/** Every node of the tree, depth first, in the tree's order. */
export function flattenSites(roots: readonly SiteTreeNode[]): SiteTreeNode[] {
  const out: SiteTreeNode[] = [];
  const walk = (list: readonly SiteTreeNode[]) => {
    for (const n of list) {
      out.push(n);
      walk(n.children);
    }
  };
  walk(roots);
  return out;
}

export interface Nearby {
  site: SiteTreeNode;
  km: number;
}

/** Sites with a location, nearest first. */
export function nearbySites(roots: readonly SiteTreeNode[], here: LatLng): Nearby[] {
  return flattenSites(roots)
    .filter((s): s is SiteTreeNode & { location: LatLng } => s.location !== null)
    .map((site) => ({ site, km: distanceKm(here, site.location) }))
    .sort((a, b) => a.km - b.km);
}

/** What the client knows about one site for one item, to estimate its wait. */
export interface SiteOption {
  siteId: string;
  km: number | null;
  /** People waiting at the site (all items). */
  waiting: number;
  handleMin: number;
  /** Windows serving the item: open ones, or every one before the hall opens. */
  windows: number;
}

export interface RankedOption extends SiteOption {
  travelMin: number;
  waitMin: number;
  totalMin: number;
}

/**
 * Rough expected wait: the people ahead shared among the windows that serve the item, each taking the
 * item's handling time. It overstates the wait at a site whose crowd is for other items, which is the safe
 * side for advice. A site with no window for the item is left out.
 */
export function estimateWaitMin(o: Pick<SiteOption, 'waiting' | 'handleMin' | 'windows'>): number | null {
  if (o.windows <= 0) return null;
  return Math.round((o.waiting * o.handleMin) / o.windows);
}

/** The options ranked by travel + expected wait, soonest first. */
export function rankBySoonest(options: readonly SiteOption[]): RankedOption[] {
  const ranked: RankedOption[] = [];
  for (const o of options) {
    const waitMin = estimateWaitMin(o);
    if (waitMin === null) continue;
    const travelMin = o.km === null ? 0 : travelMinutes(o.km);
    ranked.push({ ...o, travelMin, waitMin, totalMin: travelMin + waitMin });
  }
  return ranked.sort((a, b) => a.totalMin - b.totalMin || (a.km ?? 0) - (b.km ?? 0));
}
