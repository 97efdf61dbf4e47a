/**
 * For tests of rooms spanning media nodes: a 三地 assistance call set up over plain HTTP on an API node. A
 * Wujiang (JS-WJ) cross-province clerk asks the Qingpu (SH-QP) district centre for help, its expert answers,
 * and the clerk invites the Jiashan (ZJ-JS) desk's expert. Each participant's join names the media node of
 * its own site's region.
 */
import { expect } from 'vitest';
import type { JoinInfo } from '../../server/src/contracts/dto.ts';
import { httpJson } from '../helpers/server-process.ts';

/** `expertZJ2`: a second Jiashan participant, so one node has two consumers of every far producer. */
export type SpanRole = 'clerkWJ' | 'expertSH' | 'expertZJ' | 'expertZJ2';

export interface SpanCall {
  sessionId: string;
  roomId: string;
  /** Whether the session records every track (its site's policy at request time). */
  recorded: boolean;
  auth: Record<SpanRole, { authorization: string }>;
  staffIds: Record<SpanRole, string>;
  join: Record<SpanRole, JoinInfo>;
  /**
   * A fresh join answer for `who`, as the web app asks for one (`POST /assist-sessions/:id/token`), naming the
   * media node it has just lost (`?lostNode=`) when given.
   */
  renew(who: SpanRole, lostNode?: string): Promise<JoinInfo>;
}

/** `onSites`: called once the three sites exist, before anyone reads them (e.g. to set a site's policy in the database). */
export async function openSpanCall(base: string, adminPassword: string, tag: string, onSites?: (ids: { sh: string; wj: string; zj: string }) => Promise<void>): Promise<SpanCall> {
  const must = async (method: string, url: string, body: unknown, headers: Record<string, string>, status: number) => {
    const res = await httpJson(base, method, url, body, headers);
    expect(res.status, `${method} ${url} ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  };
  const T = tag.toUpperCase();
  const admin = { authorization: `Bearer ${(await must('POST', '/auth/login', { username: 'admin', password: adminPassword }, {}, 200)).token}` };
  const sh = await must('POST', '/admin/sites', { code: `QP${T}`, name: '青浦区政务服务中心', level: 'district', region: 'SH-QP' }, admin, 201);
  const wj = await must('POST', '/admin/sites', { code: `WJ${T}`, name: '吴江长三角跨省通办窗口', level: 'crossProvince', region: 'JS-WJ' }, admin, 201);
  const zj = await must('POST', '/admin/sites', { code: `JS${T}`, name: '嘉善长三角跨省通办窗口', level: 'crossProvince', region: 'ZJ-JS' }, admin, 201);
  await onSites?.({ sh: sh.id, wj: wj.id, zj: zj.id });
  const people: [SpanRole, string, string, string][] = [
    ['clerkWJ', 'clerk', wj.id, '吴江窗口'],
    ['expertSH', 'expert', sh.id, '青浦专家'],
    ['expertZJ', 'expert', zj.id, '嘉善专家'],
    ['expertZJ2', 'expert', zj.id, '嘉善专家二'],
  ];
  const auth = {} as SpanCall['auth'];
  const staffIds = {} as SpanCall['staffIds'];
  for (const [who, role, siteId, displayName] of people) {
    const username = `${who.toLowerCase()}-${tag}`;
    const created = await must('POST', '/admin/staff', { username, password: 'span-staff-pass', displayName, role, siteIds: [siteId] }, admin, 201);
    staffIds[who] = created.id;
    auth[who] = { authorization: `Bearer ${(await must('POST', '/auth/login', { username, password: 'span-staff-pass' }, {}, 200)).token}` };
  }
  await must('POST', '/experts/me/presence', { online: true }, auth.expertSH, 200);
  const asked = await must('POST', '/assist-sessions', { siteId: wj.id, reason: '跨省通办材料核验', target: { siteId: sh.id } }, auth.clerkWJ, 201);
  const accepted = await must('POST', `/assist-sessions/${asked.id}/accept`, undefined, auth.expertSH, 200);
  await must('POST', `/assist-sessions/${asked.id}/invite`, { staffId: staffIds.expertZJ }, auth.clerkWJ, 200);
  await must('POST', `/assist-sessions/${asked.id}/invite`, { staffId: staffIds.expertZJ2 }, auth.clerkWJ, 200);
  const renew = async (who: SpanRole, lostNode?: string): Promise<JoinInfo> =>
    must('POST', `/assist-sessions/${asked.id}/token${lostNode ? `?lostNode=${encodeURIComponent(lostNode)}` : ''}`, undefined, auth[who], 200);
  return {
    sessionId: asked.id,
    roomId: asked.roomId,
    recorded: asked.recorded,
    auth,
    staffIds,
    join: { clerkWJ: asked.join, expertSH: accepted.join, expertZJ: await renew('expertZJ'), expertZJ2: await renew('expertZJ2') },
    renew,
  };
}
