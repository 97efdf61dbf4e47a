import { describe, expect, it } from 'vitest';
import { buildLadder, nextToRing, resolveAnchors, type ExpertCandidate, type SiteNode } from './routing.ts';

// District D ─ subcentre S ─ community C ─ village V; a second district D2; partner desks in JS-WJ and ZJ-JS.
const nodes: SiteNode[] = [
  { id: 'D', parentId: null, level: 'district', region: 'SH-QP' },
  { id: 'S', parentId: 'D', level: 'subcentre', region: 'SH-QP' },
  { id: 'C', parentId: 'S', level: 'community', region: 'SH-QP' },
  { id: 'V', parentId: 'C', level: 'village', region: 'SH-QP' },
  { id: 'D2', parentId: null, level: 'district', region: 'SH-QP' },
  { id: 'WJ', parentId: null, level: 'crossProvince', region: 'JS-WJ' },
  { id: 'WJ2', parentId: null, level: 'crossProvince', region: 'JS-WJ' },
  { id: 'JS', parentId: null, level: 'crossProvince', region: 'ZJ-JS' },
];
const sites = new Map(nodes.map((n) => [n.id, n]));

const expert = (id: string, siteIds: string[], extra: Partial<ExpertCandidate> = {}): ExpertCandidate => ({
  id, siteIds, skills: [], available: true, lastAnsweredAt: null, ...extra,
});

describe('resolveAnchors', () => {
  it('defaults to the requesting site, so its nearest experts ring first', () => {
    expect(resolveAnchors({}, 'V', sites)).toEqual({ ok: true, anchors: ['V'] });
  });

  it('finds the nearest ancestor of a level, and the site itself when it has that level', () => {
    expect(resolveAnchors({ level: 'district' }, 'V', sites)).toEqual({ ok: true, anchors: ['D'] });
    expect(resolveAnchors({ level: 'subcentre' }, 'V', sites)).toEqual({ ok: true, anchors: ['S'] });
    expect(resolveAnchors({ level: 'village' }, 'V', sites)).toEqual({ ok: true, anchors: ['V'] });
    expect(resolveAnchors({ level: 'village' }, 'D', sites)).toMatchObject({ ok: false, field: 'target.level' });
  });

  it('sends a cross-province target to every partner desk of that region', () => {
    expect(resolveAnchors({ region: 'JS-WJ' }, 'V', sites)).toEqual({ ok: true, anchors: ['WJ', 'WJ2'] });
    expect(resolveAnchors({ level: 'crossProvince', region: 'ZJ-JS' }, 'V', sites)).toEqual({ ok: true, anchors: ['JS'] });
    expect(resolveAnchors({ level: 'crossProvince' }, 'V', sites)).toMatchObject({ ok: false, field: 'target.region' });
    expect(resolveAnchors({ region: 'AH-HF' }, 'V', sites)).toMatchObject({ ok: false, field: 'target.region' });
  });

  it('means "anywhere" for a skill alone, and refuses ambiguous or unknown targets', () => {
    expect(resolveAnchors({ skill: '社保' }, 'V', sites)).toEqual({ ok: true, anchors: null });
    expect(resolveAnchors({ siteId: 'S', skill: '社保' }, 'V', sites)).toEqual({ ok: true, anchors: ['S'] });
    expect(resolveAnchors({ siteId: 'S', level: 'district' }, 'V', sites)).toMatchObject({ ok: false, field: 'target' });
    expect(resolveAnchors({ siteId: 'nowhere' }, 'V', sites)).toMatchObject({ ok: false, field: 'target.siteId' });
  });
});

describe('buildLadder', () => {
  it('puts experts in tiers by how far above the anchor their site is', () => {
    const experts = [expert('eD', ['D']), expert('eC', ['C']), expert('eS', ['S']), expert('eD2', ['D2'])];
    expect(buildLadder(['V'], sites, experts)).toEqual([[], ['eC'], ['eS'], ['eD']]);
  });

  it('leaves out experts who are unavailable, assigned only below the anchor, or lack the skill', () => {
    const experts = [
      expert('busy', ['D'], { available: false }),
      expert('below', ['V']),
      expert('noSkill', ['D']),
      expert('skilled', ['D'], { skills: ['社保'] }),
    ];
    expect(buildLadder(['S'], sites, experts, '社保')).toEqual([[], ['skilled']]);
  });

  it('places an expert of several sites in its nearest tier only', () => {
    expect(buildLadder(['C'], sites, [expert('e', ['D', 'C'])])).toEqual([['e']]);
  });

  it('orders a tier longest-idle first, never-answered before anyone', () => {
    const experts = [
      expert('b', ['D'], { lastAnsweredAt: 2_000 }),
      expert('a', ['D'], { lastAnsweredAt: 1_000 }),
      expert('z', ['D']),
    ];
    expect(buildLadder(['D'], sites, experts)).toEqual([['z', 'a', 'b']]);
  });

  it('makes one tier of every skilled expert for a skill-only target', () => {
    const experts = [expert('x', ['WJ'], { skills: ['医保'] }), expert('y', ['D'], { skills: ['医保'] }), expert('n', ['D'])];
    expect(buildLadder(null, sites, experts, '医保')).toEqual([['x', 'y']]);
  });
});

describe('nextToRing', () => {
  it('takes the next expert of the nearest tier, then climbs a level', () => {
    const ladder = [[], ['c1', 'c2'], ['d1']];
    expect(nextToRing(ladder, new Set(), 1)).toEqual({ tier: 1, staffIds: ['c1'] });
    expect(nextToRing(ladder, new Set(['c1']), 1)).toEqual({ tier: 1, staffIds: ['c2'] });
    expect(nextToRing(ladder, new Set(['c1', 'c2']), 1)).toEqual({ tier: 2, staffIds: ['d1'] });
    expect(nextToRing(ladder, new Set(['c1', 'c2', 'd1']), 1)).toBeNull();
  });

  it('rings several at once within one tier when the width asks for it', () => {
    expect(nextToRing([['a', 'b', 'c'], ['d']], new Set(['a']), 5)).toEqual({ tier: 0, staffIds: ['b', 'c'] });
  });
});
