/**
 * A virtual window (远程虚拟窗口) calls a remote citizen: call-next opens a room between the clerk and the
 * citizen's device, the citizen finds its join token on GET /tickets/:id and in its ticket.updated event, and
 * the room closes when the ticket is finished. Real Postgres, a real mediasoup worker, real socket.io clients.
 */
import { eq } from 'drizzle-orm';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { videoRoomEvents } from '../../server/src/db/schema/index.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { nextEvent as nextMatching } from '../helpers/socket.ts';
import { connectMedia, createVideoHall, freePortBase, handshakeOutcome, nextEvent, type MediaClient, type StaffName, type VideoHall } from './helpers.ts';

let t: TestApp;
let hall: VideoHall;
const clients: MediaClient[] = [];

beforeAll(async () => {
  const bin = await resolveMediasoupWorker();
  t = await createTestApp({ listen: true, env: { MEDIASOUP_WORKER_BIN: bin, YC_MEDIA_WORKERS: '1', YC_RTC_BASE_PORT: String(await freePortBase(1)) } });
  hall = await createVideoHall(t);
}, 600_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

const as = (name: StaffName) => bearer(hall.tokens[name]);
const issue = async () => {
  const res = await t.api('POST', `/sites/${hall.site.D}/tickets`, { serviceId: hall.service, channel: 'mobile', citizen: { name: '张三丰' } });
  expect(res.status).toBe(201);
  return res.body as { id: string; accessToken: string; number: string };
};
const citizen = (token: string) => ({ 'x-access-token': token });

describe('a call at a virtual window', () => {
  it('gives the clerk and the citizen join tokens for one room, and nobody else', async () => {
    expect((await t.api('POST', `/windows/${hall.virtualWindow}/open`, undefined, as('clerkD'))).status).toBe(200);
    const ticket = await issue();
    const waiting = await t.api('GET', `/tickets/${ticket.id}/join`, undefined, citizen(ticket.accessToken));
    expect(waiting.status).toBe(409);
    expect(waiting.body.error.code).toBe('NO_VIDEO_ROOM');

    // The citizen's phone follows its ticket: the call arrives with its join token.
    const phone = connect(`${t.url}/hall`, { transports: ['websocket'], forceNew: true });
    // A supervisor's console at the same site hears ticket updates, but never the citizen's token.
    const colleague = connect(`${t.url}/hall`, { transports: ['websocket'], forceNew: true, auth: { token: as('supervisorD').authorization.slice(7) } });
    let called: { body: { id: string; join: { roomId: string; token: string } } };
    try {
      await phone.timeout(15_000).emitWithAck('ticket:watch', { ticketId: ticket.id, accessToken: ticket.accessToken });
      await colleague.timeout(15_000).emitWithAck('site:watch', { siteId: hall.site.D });
      const staffHeard = nextMatching<{ ticket: { id: string; status: string; join?: unknown } }>(colleague, 'ticket.updated', (e) => e.ticket.id === ticket.id && e.ticket.status === 'called');
      const updated = nextEvent<{ ticket: { id: string; status: string; join?: { roomId: string; token: string } } }>(phone, 'ticket.updated');
      const res = await t.api('POST', `/windows/${hall.virtualWindow}/call-next`, undefined, as('clerkD'));
      expect(res.status).toBe(200);
      called = res;
      expect(called.body.id).toBe(ticket.id);
      expect(called.body.join.roomId).toBe(`vw-${ticket.id}`);
      const event = await updated;
      expect(event.ticket.status).toBe('called');
      expect(event.ticket.join?.roomId).toBe(`vw-${ticket.id}`);
      expect(event.ticket.join?.token).not.toBe(called.body.join.token);
      expect((await staffHeard).ticket.join).toBeUndefined();
    } finally {
      phone.close();
      colleague.close();
    }

    const mine = await t.api('GET', `/tickets/${ticket.id}`, undefined, citizen(ticket.accessToken));
    expect(mine.body.join.roomId).toBe(`vw-${ticket.id}`);
    const staffView = await t.api('GET', `/tickets/${ticket.id}`, undefined, as('supervisorD'));
    expect(staffView.status).toBe(200);
    expect(staffView.body.join).toBeUndefined();

    expect((await t.api('GET', `/tickets/${ticket.id}/join`, undefined, as('clerkD'))).status).toBe(200);
    expect((await t.api('GET', `/tickets/${ticket.id}/join`, undefined, as('clerkD2'))).status).toBe(403);
    expect((await t.api('GET', `/tickets/${ticket.id}/join`, undefined, as('expertD1'))).status).toBe(403);
    const other = await issue();
    expect((await t.api('GET', `/tickets/${ticket.id}/join`, undefined, citizen(other.accessToken))).status).toBe(403);
    expect((await t.api('GET', `/tickets/${ticket.id}/join`)).status).toBe(401);

    // Both join over /media; the clerk sees the citizen as the ticket number with the masked name only.
    const clerk = await connectMedia(t.url, called.body.join.token);
    clients.push(clerk);
    expect((await clerk.request('room:join', {})).data).toMatchObject({ roomId: `vw-${ticket.id}`, peerId: hall.staffIds.clerkD, role: 'clerk' });
    const peerJoined = nextEvent<{ peer: { peerId: string; role: string; displayName: string } }>(clerk.socket, 'peer.joined');
    const device = await connectMedia(t.url, mine.body.join.token);
    clients.push(device);
    expect((await device.request('room:join', {})).data).toMatchObject({ peerId: `citizen:${ticket.id}`, role: 'citizen' });
    const seen = (await peerJoined).peer;
    expect(seen).toMatchObject({ peerId: `citizen:${ticket.id}`, role: 'citizen' });
    expect(seen.displayName).toBe(`${ticket.number} 张*丰`);

    // Finishing the ticket ends the call and the citizen's token with it.
    const closed = nextEvent<{ reason: string }>(device.socket, 'room.closed');
    expect((await t.api('POST', `/tickets/${ticket.id}/start`, undefined, as('clerkD'))).status).toBe(200);
    expect((await t.api('POST', `/tickets/${ticket.id}/finish`, { outcome: 'completed' }, as('clerkD'))).status).toBe(200);
    expect(await closed).toEqual({ reason: 'sessionEnded' });
    expect(await handshakeOutcome(t.url, mine.body.join.token)).toBe('ROOM_CLOSED');
    const after = await t.api('GET', `/tickets/${ticket.id}`, undefined, citizen(ticket.accessToken));
    expect(after.body.join).toBeUndefined();
    expect((await t.api('GET', `/tickets/${ticket.id}/join`, undefined, citizen(ticket.accessToken))).status).toBe(409);

    // The room is closed, and its log written, in the background after the ticket's update (the quality
    // summary last, after 'room.closed' went out): wait for the log to be complete.
    const roomLog = async () =>
      (await t.app.deps.db.select().from(videoRoomEvents).where(eq(videoRoomEvents.roomId, `vw-${ticket.id}`)).orderBy(videoRoomEvents.id)).map((e) => [e.type, e.actorKind]);
    await expect.poll(roomLog, { timeout: 15_000 }).toEqual([
      ['opened', 'staff'],
      ['joined', 'staff'],
      ['joined', 'citizen'],
      ['quality', 'system'],
    ]);
  });

  it('opens no room when a physical window calls', async () => {
    const admin = bearer(hall.adminToken);
    const w = await t.api('POST', `/admin/sites/${hall.site.D}/windows`, { number: 3, name: '综合窗口3', kind: 'physical', serviceIds: [hall.service] }, admin);
    expect(w.status).toBe(201);
    await t.api('POST', `/windows/${w.body.id}/open`, undefined, as('clerkD'));
    const ticket = await issue();
    const called = await t.api('POST', `/windows/${w.body.id}/call-next`, undefined, as('clerkD'));
    expect(called.status).toBe(200);
    expect(called.body.join).toBeUndefined();
    const mine = await t.api('GET', `/tickets/${called.body.id}`, undefined, called.body.id === ticket.id ? citizen(ticket.accessToken) : as('clerkD'));
    expect(mine.body.join).toBeUndefined();
  });
});
