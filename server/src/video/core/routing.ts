/**
 * Whom an assistance request rings: pure functions over the site tree and the experts' presence.
 *
 * A request names a target; the target resolves to one or more *anchor* sites. The experts who may answer are
 * arranged in a *ladder* of tiers: tier k holds the experts assigned to a site k levels above an anchor (tier 0:
 * the anchor itself). Ringing walks the ladder one expert at a time (an ACD's "next agent"), and when a tier
 * has nobody left it climbs to the next level up the site tree.
 *
 * Worked example (village V under community C under district D; expert e1 at C, e2 and e3 at D):
 *   target {} from V → anchors [V] → ladder [[], [e1], [e2, e3]] → rings e1, then e2, then e3.
 *   target { level: 'district' } from V → anchors [D] → ladder [[e2, e3]].
 *   target { region: 'JS-WJ' } → anchors = every crossProvince site of JS-WJ.
 *   target { skill: '社保' } → no anchors: one tier of every available expert with that skill.
 */
import type { SiteLevel } from '../../contracts/dto.ts';
import type { AssistTarget } from '../../contracts/video.ts';

export interface SiteNode {
  id: string;
  parentId: string | null;
  level: SiteLevel;
  region: string;
}

export interface ExpertCandidate {
  id: string;
  siteIds: readonly string[];
  skills: readonly string[];
  /** Online on an expert console and not already in a call. */
  available: boolean;
  /** When this expert last accepted a request (ms), for longest-idle-first; null if never. */
  lastAnsweredAt: number | null;
}

export type AnchorResult =
  | { ok: true; anchors: string[] | null }
  | { ok: false; field: string; reason: string };

/** Rationale: site trees are 3–4 levels deep; the cap only guards against a cycle in bad data. */
const MAX_DEPTH = 16;

/** The sites a target names. `anchors: null` means "anywhere" (a skill-only target). */
export function resolveAnchors(target: AssistTarget, requestingSiteId: string, sites: ReadonlyMap<string, SiteNode>): AnchorResult {
  const { siteId, level, region, skill } = target;
  const named = [siteId !== undefined, level !== undefined && level !== 'crossProvince', region !== undefined].filter(Boolean).length;
  if (named > 1) return { ok: false, field: 'target', reason: 'name at most one of siteId, level, region' };
  if (level === 'crossProvince' && region === undefined) return { ok: false, field: 'target.region', reason: 'a crossProvince target needs a region' };
  if (siteId !== undefined) {
    return sites.has(siteId) ? { ok: true, anchors: [siteId] } : { ok: false, field: 'target.siteId', reason: 'unknown site' };
  }
  if (region !== undefined) {
    const desks = [...sites.values()].filter((s) => s.level === 'crossProvince' && s.region === region).map((s) => s.id).sort();
    return desks.length > 0 ? { ok: true, anchors: desks } : { ok: false, field: 'target.region', reason: 'no cross-province desk in that region' };
  }
  if (level !== undefined) {
    const found = ancestorsOf(requestingSiteId, sites).find((s) => s.level === level);
    return found ? { ok: true, anchors: [found.id] } : { ok: false, field: 'target.level', reason: `no ${level} above the requesting site` };
  }
  if (skill !== undefined) return { ok: true, anchors: null };
  return { ok: true, anchors: [requestingSiteId] };
}

/** The site itself, then its parent, up to the root. */
export function ancestorsOf(siteId: string, sites: ReadonlyMap<string, SiteNode>): SiteNode[] {
  const out: SiteNode[] = [];
  let cursor = sites.get(siteId);
  while (cursor && out.length < MAX_DEPTH) {
    out.push(cursor);
    cursor = cursor.parentId ? sites.get(cursor.parentId) : undefined;
  }
  return out;
}

/** Longest idle first (never answered before anyone who has), then by id so the order is stable. */
function byIdleness(a: ExpertCandidate, b: ExpertCandidate): number {
  const la = a.lastAnsweredAt ?? -Infinity;
  const lb = b.lastAnsweredAt ?? -Infinity;
  if (la !== lb) return la < lb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Tiers of available experts for the anchors, nearest first; an expert appears once, in its nearest tier.
 * Empty tiers are kept so a tier's index is its distance up the tree.
 */
export function buildLadder(
  anchors: string[] | null,
  sites: ReadonlyMap<string, SiteNode>,
  experts: readonly ExpertCandidate[],
  skill?: string,
): string[][] {
  const usable = experts.filter((e) => e.available && (skill === undefined || e.skills.includes(skill)));
  if (anchors === null) return [usable.slice().sort(byIdleness).map((e) => e.id)];
  const distance = new Map<string, number>();
  for (const anchor of anchors) {
    ancestorsOf(anchor, sites).forEach((site, d) => {
      const known = distance.get(site.id);
      if (known === undefined || d < known) distance.set(site.id, d);
    });
  }
  const tiers: ExpertCandidate[][] = [];
  for (const e of usable) {
    let best: number | undefined;
    for (const s of e.siteIds) {
      const d = distance.get(s);
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    if (best === undefined) continue;
    while (tiers.length <= best) tiers.push([]);
    tiers[best]?.push(e);
  }
  return tiers.map((tier) => tier.sort(byIdleness).map((e) => e.id));
}

/** The next experts to ring: up to `width` not yet rung, from the nearest tier that still has any. */
export function nextToRing(ladder: readonly (readonly string[])[], rung: ReadonlySet<string>, width: number): { tier: number; staffIds: string[] } | null {
  for (let tier = 0; tier < ladder.length; tier++) {
    const fresh = (ladder[tier] ?? []).filter((id) => !rung.has(id));
    if (fresh.length > 0) return { tier, staffIds: fresh.slice(0, Math.max(1, width)) };
  }
  return null;
}
