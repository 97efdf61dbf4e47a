/**
 * An expert's `/hall` socket gets only what an expert may read (issue #14 item 10): over HTTP an expert reads
 * only the tickets of assistance sessions it was asked into, so watching its site must not deliver every
 * staff-only `ticket.updated` of the site, as it did when `site:watch` put the expert in the site's staff room.
 */
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
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

describe('an expert watching its site', () => {
  it('gets no ticket.updated for a ticket outside its sessions, while a clerk of the site does', async () => {
    const expert = await connect(t.url, '/hall', { token: hall.tokens.expert });
    const clerk = await connect(t.url, '/hall', { token: hall.tokens.clerk });
    sockets.push(expert, clerk);
    expect((await request(expert, 'site:watch', { siteId: hall.siteId })).data.siteId).toBe(hall.siteId);
    expect((await request(clerk, 'site:watch', { siteId: hall.siteId })).data.siteId).toBe(hall.siteId);
    const seenByExpert: unknown[] = [];
    expert.on('ticket.updated', (e) => seenByExpert.push(e));

    const issued = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    expect(issued.status).toBe(201);
    const ticketId = issued.body.id as string;
    const updated = nextEvent(clerk, 'ticket.updated', (e: { ticket: { id: string } }) => e.ticket.id === ticketId);
    const cancelled = await t.api('POST', `/tickets/${ticketId}/cancel`, undefined, bearer(hall.tokens.clerk));
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await updated;
    // Both sockets are on the same node and the same emit: a short grace covers ordering, not a remote hop.
    await new Promise((r) => setTimeout(r, 300));
    expect(seenByExpert).toEqual([]);
    // And over HTTP the expert may not read it either: the socket now says no more than the API does.
    expect((await t.api('GET', `/tickets/${ticketId}`, undefined, bearer(hall.tokens.expert))).status).toBe(403);
  });
});
