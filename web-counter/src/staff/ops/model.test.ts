import { describe, expect, it } from 'vitest';
import type { SiteTreeNode, StatsView } from '@yichuang/server/contracts';
import { buildRows, flattenRows, utilisation, type SiteLive } from './model.ts';

const node = (id: string, children: SiteTreeNode[] = [], waiting = 0): SiteTreeNode => ({
  id, code: id, name: id, level: children.length ? 'district' : 'community', parentId: null, region: 'SH-QP', timeZone: 'Asia/Shanghai',
  address: null, location: null, waiting, children,
});
const live = (p: Partial<SiteLive>): SiteLive => ({ waiting: 0, oldestIssuedAt: null, late: 0, openWindows: 0, totalWindows: 0, alerts: 0, ...p });
const NOW = Date.parse('2026-11-23T10:00:00+08:00');

describe('buildRows', () => {
  it('rolls waiting, lateness, windows and alerts up the tree and takes the oldest wait below', () => {
    const tree = [node('D', [node('C1'), node('C2', [node('V')])])];
    const m = new Map<string, SiteLive>([
      ['D', live({ waiting: 3, oldestIssuedAt: NOW - 5 * 60_000, openWindows: 2, totalWindows: 4 })],
      ['C1', live({ waiting: 1, oldestIssuedAt: NOW - 30 * 60_000, late: 1, openWindows: 1, totalWindows: 2, alerts: 1 })],
      ['V', live({ waiting: 2, oldestIssuedAt: NOW - 12 * 60_000, totalWindows: 1 })],
    ]);
    const [d] = buildRows(tree, m, new Map(), NOW);
    expect(d).toMatchObject({ waiting: 6, late: 1, openWindows: 3, totalWindows: 7, alerts: 1, longestWaitMin: 30 });
    const rows = flattenRows(buildRows(tree, m, new Map(), NOW));
    expect(rows.map((r) => [r.key, r.depth, r.waiting, r.longestWaitMin])).toEqual([
      ['D', 0, 6, 30], ['C1', 1, 1, 30], ['C2', 1, 2, 12], ['V', 2, 2, 12],
    ]);
  });

  it("uses the tree's own waiting count for a site not loaded yet", () => {
    const [d] = buildRows([node('D', [], 4)], new Map(), new Map(), NOW);
    expect(d?.waiting).toBe(4);
    expect(d?.longestWaitMin).toBeNull();
  });
});

describe('utilisation', () => {
  it("weights each clerk's busy share by the calls it made, ignoring clerks without a figure", () => {
    const clerks = [
      { staffId: 'a', displayName: 'a', calls: 30, served: 30, meanHandleMin: 10, idleShare: 0.2 },
      { staffId: 'b', displayName: 'b', calls: 10, served: 10, meanHandleMin: 10, idleShare: 0.6 },
      { staffId: 'c', displayName: 'c', calls: 5, served: 5, meanHandleMin: 10, idleShare: null },
    ];
    expect(utilisation({ clerks } as unknown as StatsView)).toBeCloseTo((0.8 * 30 + 0.4 * 10) / 40);
    expect(utilisation({ clerks: [] } as unknown as StatsView)).toBeNull();
    expect(utilisation(null)).toBeNull();
  });
});
