import { describe, expect, it } from 'vitest';
import type { SiteTreeNode } from './contract-types.ts';
import { distanceKm, estimateWaitMin, nearbySites, rankBySoonest, travelMinutes } from './geo.ts';

const node = (id: string, lat: number | null, lng = 121.1, children: SiteTreeNode[] = []): SiteTreeNode => ({
  id, code: id, name: id, level: 'community', parentId: null, region: 'SH-QP', timeZone: 'Asia/Shanghai', address: null,
  location: lat === null ? null : { lat, lng }, waiting: 0, children,
});

describe('distances', () => {
  it('measures the Qingpu centre to the Xihongqiao sub-centre at about 14 km', () => {
    const km = distanceKm({ lat: 31.151, lng: 121.124 }, { lat: 31.178, lng: 121.265 });
    expect(km).toBeGreaterThan(13);
    expect(km).toBeLessThan(15);
  });

  it('walks short distances and rides longer ones', () => {
    expect(travelMinutes(0.5)).toBe(9); // 0.65 km road at 4.5 km/h
    expect(travelMinutes(10)).toBe(36); // 13 km road at 25 km/h + 5
  });

  it('lists sites with a location, nearest first, through every level of the tree', () => {
    const tree = [node('far', 31.5, 121.1, [node('near', 31.16), node('nowhere', null)])];
    expect(nearbySites(tree, { lat: 31.15, lng: 121.1 }).map((n) => n.site.id)).toEqual(['near', 'far']);
  });
});

describe('where an item is done soonest', () => {
  it('shares the people waiting among the windows that serve the item', () => {
    expect(estimateWaitMin({ waiting: 6, handleMin: 10, windows: 2 })).toBe(30);
    expect(estimateWaitMin({ waiting: 6, handleMin: 10, windows: 0 })).toBeNull();
  });

  it('prefers a farther quiet site over a near crowded one when the total is shorter', () => {
    const ranked = rankBySoonest([
      { siteId: 'near-busy', km: 0.4, waiting: 30, handleMin: 15, windows: 2 }, // 7 + 225
      { siteId: 'far-quiet', km: 8, waiting: 1, handleMin: 15, windows: 1 }, // 30 + 15
      { siteId: 'no-window', km: 0.1, waiting: 0, handleMin: 15, windows: 0 },
    ]);
    expect(ranked.map((r) => r.siteId)).toEqual(['far-quiet', 'near-busy']);
    expect(ranked[0]!.totalMin).toBe(ranked[0]!.travelMin + ranked[0]!.waitMin);
  });

  it('without a location, ranks by the wait alone', () => {
    const ranked = rankBySoonest([
      { siteId: 'a', km: null, waiting: 4, handleMin: 10, windows: 1 },
      { siteId: 'b', km: null, waiting: 1, handleMin: 10, windows: 1 },
    ]);
    expect(ranked.map((r) => [r.siteId, r.travelMin])).toEqual([['b', 0], ['a', 0]]);
  });
});
