import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, nextEvent, request } from '../helpers/socket.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  hall = await createHall(t);
  await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk));
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

async function open(auth?: Record<string, unknown>) {
  const s = await connect(t.url, '/hall', auth);
  sockets.push(s);
  return s;
}

describe('/hall real-time events', () => {
  it('shows a board the call and the new waiting counts, with increasing seq', async () => {
    const board = await open();
    const watched = await request(board, 'site:watch', { siteId: hall.siteId });
    expect(watched.data.siteId).toBe(hall.siteId);
    const changed = nextEvent(board, 'queue.changed', (e: any) => (e.waiting.A ?? 0) >= 1);
    const issued = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk', citizen: { name: '王小明', phone: '13800001111' } });
    const q = await changed;
    expect(q.siteId).toBe(hall.siteId);
    expect(q.seq).toBeGreaterThan(watched.data.seq);
    const called = nextEvent(board, 'ticket.called');
    await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    const e = await called;
    expect(e).toMatchObject({ ticketId: issued.body.id, number: issued.body.number, windowNumber: 1, siteId: hall.siteId, recall: false });
    expect(e.seq).toBeGreaterThan(q.seq);
    // No personal data travels to boards.
    expect(JSON.stringify(e)).not.toMatch(/王|13800001111/);
  });

  it('lets a citizen follow its own ticket and nobody else\'s', async () => {
    const phone = await open();
    const mine = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'mobile' });
    const theirs = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'mobile' });
    const refused = await request(phone, 'ticket:watch', { ticketId: theirs.body.id, accessToken: mine.body.accessToken });
    expect(refused.error.code).toBe('FORBIDDEN');
    const ok = await request(phone, 'ticket:watch', { ticketId: mine.body.id, accessToken: mine.body.accessToken });
    expect(ok.data.ticketId).toBe(mine.body.id);
    const updated = nextEvent(phone, 'ticket.updated', (e: any) => e.ticket.id === mine.body.id && e.ticket.status === 'cancelled');
    await t.api('POST', `/tickets/${mine.body.id}/cancel`, undefined, { 'x-access-token': mine.body.accessToken });
    expect((await updated).ticket.status).toBe('cancelled');
  });

  it('checks every inbound payload and answers in the contract format', async () => {
    const s = await open();
    for (const bad of [{}, { siteId: 42 }, { siteId: 'not-a-uuid' }, null, 'x']) {
      const res = await request(s, 'site:watch', bad);
      expect(res.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await request(s, 'site:watch', { siteId: '00000000-0000-4000-8000-000000000000' })).error.code).toBe('NOT_FOUND');
    expect((await request(s, 'window:attach', { windowId: hall.windows.w1 })).error.code).toBe('UNAUTHENTICATED');
  });

  it('lets a clerk attach to a window of its site only, and refuses a forged handshake', async () => {
    const clerk = await open({ token: hall.tokens.clerk });
    expect((await request(clerk, 'window:attach', { windowId: hall.windows.w1 })).data.windowId).toBe(hall.windows.w1);
    const outsider = await open({ token: hall.tokens.otherClerk });
    expect((await request(outsider, 'window:attach', { windowId: hall.windows.w1 })).error.code).toBe('FORBIDDEN');
    await expect(connect(t.url, '/hall', { token: 'forged-token' })).rejects.toThrow(/UNAUTHENTICATED/);
  });
});
