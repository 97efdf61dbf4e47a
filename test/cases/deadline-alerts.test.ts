// Supervisors hear live when a case's deadline is near and when it has passed, with the case number and
// no personal data, and only for sites they staff.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { zonedTimeToMs } from '../../server/src/lib/time.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const at = (date: string, time: string) => zonedTimeToMs(date, time, 'Asia/Shanghai');
const clock = manualClock(at('2026-11-23', '10:00'));
let t: TestApp;
let hall: Hall;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp({ listen: true, clock });
  hall = await createHall(t);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

async function staffSocket(token: string, siteId: string) {
  const s = await connect(t.url, '/hall', { token });
  sockets.push(s);
  await request(s, 'site:watch', { siteId });
  const heard: Record<string, unknown>[] = [];
  s.on('case.deadline', (e) => heard.push(e));
  return heard;
}

test('warns before the reply deadline and escalates after it, once each, to the site’s staff only', async () => {
  const supervisor = await staffSocket(hall.tokens.supervisor, hall.siteId);
  const board = await staffSocket('', hall.siteId);
  const elsewhere = await staffSocket(hall.tokens.otherClerk, hall.otherSiteId);
  // Monday 10:00: the first reply is due at 17:00 today; the warning comes 4 hours ahead.
  const filed = await t.api('POST', '/cases', { siteId: hall.siteId, kind: 'cannotBeDone', description: '跑了三次都办不成', contact: { name: '王小明', phone: '13812345678' } });
  expect(filed.status).toBe(201);

  clock.set(at('2026-11-23', '13:30'));
  await t.app.cases.sweep();
  await t.app.cases.sweep();
  await expect.poll(() => supervisor.length, { timeout: 15_000 }).toBe(1);
  expect(supervisor[0]).toMatchObject({ siteId: hall.siteId, caseId: filed.body.id, number: filed.body.number, stage: 'reply', type: 'warned', dueAt: '2026-11-23T17:00:00+08:00' });

  clock.set(at('2026-11-23', '17:05'));
  await t.app.cases.sweep();
  await expect.poll(() => supervisor.length, { timeout: 15_000 }).toBe(2);
  expect(supervisor[1]).toMatchObject({ caseId: filed.body.id, stage: 'reply', type: 'escalated' });
  expect(JSON.stringify(supervisor)).not.toMatch(/王|138|5678/);
  // A public board and another site's clerk hear nothing of it.
  expect(board).toEqual([]);
  expect(elsewhere).toEqual([]);
});
