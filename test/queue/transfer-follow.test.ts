// A ticket transferred at the window continues as a follow-up ticket; the citizen's phone, holding only
// the original's access token, is told where it went and can open it.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, nextEvent, request } from '../helpers/socket.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;
let phone: Socket;

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  hall = await createHall(t);
});
afterAll(async () => {
  phone?.disconnect();
  await t?.close();
});

test('the original ticket names its follow-up, live and on reading, and the same token opens it', async () => {
  const clerk = bearer(hall.tokens.clerk);
  const issued = (await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.other, channel: 'mobile', citizen: { name: '王小明', phone: '13800001111' } })).body;
  phone = await connect(t.url, '/hall');
  await request(phone, 'ticket:watch', { ticketId: issued.id, accessToken: issued.accessToken });
  await t.api('POST', `/windows/${hall.windows.w2}/open`, undefined, clerk);
  expect((await t.api('POST', `/windows/${hall.windows.w2}/call-next`, undefined, clerk)).body.id).toBe(issued.id);
  await t.api('POST', `/tickets/${issued.id}/start`, undefined, clerk);

  const told = nextEvent(phone, 'ticket.updated', (e: any) => e.ticket.id === issued.id && e.ticket.transferredToId !== undefined);
  const moved = await t.api('POST', `/tickets/${issued.id}/transfer`, { serviceId: hall.services.general }, clerk);
  expect(moved.status).toBe(200);
  expect(moved.body.accessToken).toBeUndefined();
  expect((await told).ticket).toMatchObject({ status: 'transferred', transferredToId: moved.body.id });

  const original = await t.api('GET', `/tickets/${issued.id}?t=${issued.accessToken}`);
  expect(original.body).toMatchObject({ status: 'transferred', transferredToId: moved.body.id });
  const followUp = await t.api('GET', `/tickets/${moved.body.id}?t=${issued.accessToken}`);
  expect(followUp.status).toBe(200);
  expect(followUp.body).toMatchObject({ status: 'waiting', transferredFromId: issued.id, serviceId: hall.services.general, dueAt: issued.dueAt });
  // The clerk at the next desk sees who it is, masked as before.
  expect(followUp.body.citizen).toEqual(issued.citizen);
  expect(issued.citizen.name).not.toBe('王小明');
  // A ticket that was never transferred names no follow-up.
  expect(followUp.body.transferredToId).toBeUndefined();
});
