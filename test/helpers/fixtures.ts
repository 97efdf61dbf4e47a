/**
 * A small hall for tests, created through the public API as an administrator would: one district site with
 * a child community, a few services, windows (one virtual), and a clerk, a supervisor and an expert.
 */
import { expect } from 'vitest';
import { bearer, type TestApp } from './test-app.ts';

export const STAFF_PASSWORD = 'staff-pass-123';

export interface Hall {
  adminToken: string;
  siteId: string;
  childSiteId: string;
  otherSiteId: string;
  services: { general: string; complex: string; other: string };
  windows: { w1: string; w2: string; virtual: string };
  tokens: { clerk: string; clerk2: string; supervisor: string; expert: string; otherClerk: string };
  staffIds: Record<string, string>;
}

export async function login(t: TestApp, username: string, password = STAFF_PASSWORD): Promise<string> {
  const res = await t.api('POST', '/auth/login', { username, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token as string;
}

export async function createHall(t: TestApp): Promise<Hall> {
  const adminToken = await login(t, t.config.adminUser, t.config.adminPassword);
  const h = bearer(adminToken);
  const post = async (path: string, body: unknown) => {
    const res = await t.api('POST', path, body, h);
    expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(201);
    return res.body;
  };
  const site = await post('/admin/sites', { code: 'T-HALL', name: '测试政务服务中心', level: 'district', region: 'SH-QP', location: { lat: 31.15, lng: 121.12 } });
  const child = await post('/admin/sites', { code: 'T-COMM', name: '测试社区中心', level: 'community', parentCode: 'T-HALL', region: 'SH-QP' });
  const other = await post('/admin/sites', { code: 'T-OTHER', name: '其他中心', level: 'district', region: 'JS-WJ' });
  const general = await post(`/admin/sites/${site.id}/services`, { code: 'G1', name: '居住证办理', category: 'A', complexity: 'general' });
  const complex = await post(`/admin/sites/${site.id}/services`, { code: 'C1', name: '不动产登记', category: 'B', complexity: 'complex' });
  const otherSvc = await post(`/admin/sites/${site.id}/services`, { code: 'O1', name: '公积金提取', category: 'C', complexity: 'general' });
  const w1 = await post(`/admin/sites/${site.id}/windows`, { number: 1, name: '综合窗口1', kind: 'physical', serviceIds: [general.id, complex.id] });
  const w2 = await post(`/admin/sites/${site.id}/windows`, { number: 2, name: '综合窗口2', kind: 'physical', serviceIds: [general.id, otherSvc.id] });
  const wv = await post(`/admin/sites/${site.id}/windows`, { number: 9, name: '远程虚拟窗口', kind: 'virtual', serviceIds: [general.id, complex.id] });
  const otherService = await post(`/admin/sites/${other.id}/services`, { code: 'X1', name: '跨省通办', category: 'K', complexity: 'general' });
  await post(`/admin/sites/${other.id}/windows`, { number: 1, name: '吴江窗口', kind: 'physical', serviceIds: [otherService.id] });
  const staffIds: Record<string, string> = {};
  for (const [username, role, siteIds, skills] of [
    ['clerk', 'clerk', [site.id], []],
    ['clerk2', 'clerk', [site.id], []],
    ['supervisor', 'supervisor', [site.id], []],
    ['expert', 'expert', [site.id], ['社保']],
    ['otherclerk', 'clerk', [other.id], []],
  ] as const) {
    const s = await post('/admin/staff', { username, password: STAFF_PASSWORD, displayName: username, role, siteIds, skills });
    staffIds[username] = s.id;
  }
  return {
    adminToken,
    siteId: site.id,
    childSiteId: child.id,
    otherSiteId: other.id,
    services: { general: general.id, complex: complex.id, other: otherSvc.id },
    windows: { w1: w1.id, w2: w2.id, virtual: wv.id },
    tokens: {
      clerk: await login(t, 'clerk'),
      clerk2: await login(t, 'clerk2'),
      supervisor: await login(t, 'supervisor'),
      expert: await login(t, 'expert'),
      otherClerk: await login(t, 'otherclerk'),
    },
    staffIds,
  };
}

/** A valid 18-digit resident id (GB 11643 check digit) for a birth date, for tests. */
export function residentId(prefix17 = '31010119900101123'): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...prefix17].reduce((acc, d, i) => acc + Number(d) * (w[i] ?? 0), 0);
  return prefix17 + '10X98765432'[sum % 11];
}
