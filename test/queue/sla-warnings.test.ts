// Staff are warned once about each waiting ticket close to its deadline, and the warning never changes who
// is called next.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

const MINUTE = 60_000;
const HORIZON = 5 * MINUTE;
const clock = manualClock(Date.UTC(2026, 10, 23, 1, 0));
let t: TestApp;
let hall: Hall;
let staff: Socket;

beforeAll(async () => {
  t = await createTestApp({ listen: true, clock });
  hall = await createHall(t);
  staff = await connect(t.url, '/hall', { token: hall.tokens.supervisor });
  await request(staff, 'site:watch', { siteId: hall.siteId });
});
afterAll(async () => {
  staff?.disconnect();
  await t?.close();
});

const warnAtRisk = (): Promise<number> => (t.app as unknown as { queue: { warnAtRisk(h: number): Promise<number> } }).queue.warnAtRisk(HORIZON);

test('warns staff once per ticket as its deadline nears, and the most urgent is still called first', async () => {
  const warned: { ticketId: string; number: string; dueAt: string }[] = [];
  staff.on('sla.atRisk', (e) => warned.push(e));
  const issue = async () => (await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' })).body;
  const first = await issue();
  clock.advance(2 * MINUTE);
  const second = await issue();

  // A general walk-in must be called within 30 minutes: at 26 minutes only the first is within 5 of it.
  clock.advance(24 * MINUTE);
  expect(await warnAtRisk()).toBe(1);
  expect(await warnAtRisk()).toBe(0);
  clock.advance(2 * MINUTE);
  expect(await warnAtRisk()).toBe(1);
  await expect.poll(() => warned.map((w) => w.number), { timeout: 15_000 }).toEqual([first.number, second.number]);
  expect(warned[0]).toMatchObject({ ticketId: first.id, dueAt: first.dueAt });

  await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk));
  const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
  expect(called.body).toMatchObject({ id: first.id, status: 'called' });
  expect(await warnAtRisk()).toBe(0);
});
