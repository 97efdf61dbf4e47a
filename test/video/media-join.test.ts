/**
 * Join tokens and authorisation over the real `/media` namespace (socket.io-client) with a real mediasoup
 * worker: who gets in, and the tokens that are refused (another room, expired, forged, session ended).
 */
import { signJoinToken } from '@yichuang/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { manualClock } from '../../server/src/lib/clock.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectMedia, createVideoHall, freePortBase, handshakeOutcome, nextEvent, setOnline, type MediaClient, type StaffName, type VideoHall } from './helpers.ts';

const T0 = Date.parse('2026-11-23T10:00:00+08:00');
const clock = manualClock(T0);
let t: TestApp;
let hall: VideoHall;
const clients: MediaClient[] = [];

beforeAll(async () => {
  const bin = await resolveMediasoupWorker();
  t = await createTestApp({
    clock,
    listen: true,
    env: { MEDIASOUP_WORKER_BIN: bin, YC_MEDIA_WORKERS: '1', YC_RTC_BASE_PORT: String(await freePortBase(1)) },
  });
  hall = await createVideoHall(t);
  await setOnline(t, hall, ['expertC', 'expertD1', 'expertD2', 'expertWJ']);
}, 600_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

const as = (name: StaffName) => bearer(hall.tokens[name]);
async function media(token: string): Promise<MediaClient> {
  const c = await connectMedia(t.url, token);
  clients.push(c);
  return c;
}
async function answeredSession() {
  const req = await t.api('POST', '/assist-sessions', { siteId: hall.site.V, reason: '不动产登记材料', target: {} }, as('clerkV'));
  expect(req.status).toBe(201);
  // Whoever rang: an expert already in a call is not rung again.
  const rung = (Object.keys(hall.staffIds) as StaffName[]).find((n) => hall.staffIds[n] === req.body.ringing[0]) as StaffName;
  const acc = await t.api('POST', `/assist-sessions/${req.body.id}/accept`, undefined, as(rung));
  expect(acc.status).toBe(200);
  return { id: req.body.id as string, roomId: req.body.roomId as string, clerk: req.body.join.token as string, expert: acc.body.join.token as string, expertName: rung };
}

describe('/media with tokens from the server', () => {
  it('lets the clerk and the accepted expert into the same room, and logs who joined', async () => {
    const s = await answeredSession();
    const clerk = await media(s.clerk);
    const joined = await clerk.request('room:join', {});
    expect(joined.error).toBeUndefined();
    expect(joined.data).toMatchObject({ roomId: s.roomId, peerId: hall.staffIds.clerkV, role: 'clerk', peers: [] });
    expect(joined.data.routerRtpCapabilities.codecs.length).toBeGreaterThan(0);

    const peerJoined = nextEvent<{ peer: { peerId: string; role: string } }>(clerk.socket, 'peer.joined');
    const expert = await media(s.expert);
    const expertJoin = await expert.request('room:join', { roomId: s.roomId });
    expect(expertJoin.data.peers.map((p: { peerId: string }) => p.peerId)).toEqual([hall.staffIds.clerkV]);
    expect((await peerJoined).peer).toMatchObject({ peerId: hall.staffIds.expertC, role: 'expert' });

    await expect.poll(async () => {
      const log = await t.api('GET', `/assist-sessions/${s.id}/events`, undefined, as('clerkV'));
      return log.body.filter((e: { type: string }) => e.type === 'joined').map((e: { actorId: string }) => e.actorId);
    }, { timeout: 15_000 }).toEqual([hall.staffIds.clerkV, hall.staffIds.expertC]);

    // Ending closes the room for everyone in it; their still-unexpired tokens no longer open it.
    const closedForClerk = nextEvent<{ reason: string }>(clerk.socket, 'room.closed');
    const closedForExpert = nextEvent<{ reason: string }>(expert.socket, 'room.closed');
    expect((await t.api('POST', `/assist-sessions/${s.id}/end`, undefined, as('clerkV'))).status).toBe(200);
    expect(await closedForClerk).toEqual({ reason: 'sessionEnded' });
    expect(await closedForExpert).toEqual({ reason: 'sessionEnded' });
    expect(await handshakeOutcome(t.url, s.clerk)).toBe('ROOM_CLOSED');
    const rejoin = await clerk.request('room:join', {});
    expect(rejoin.error?.code).toBe('ROOM_CLOSED');
    expect(t.app.video.media?.room(s.roomId)).toBeUndefined();

    const log = await t.api('GET', `/assist-sessions/${s.id}/events`, undefined, as('clerkV'));
    const quality = log.body.find((e: { type: string }) => e.type === 'quality');
    expect(quality?.data).toMatchObject({ peakParticipants: 2 });
  });

  it('logs screen shares starting and stopping', async () => {
    const s = await answeredSession();
    const clerk = await media(s.clerk);
    await clerk.request('room:join', {});
    const transport = await clerk.request('transport:create', { direction: 'send' });
    expect(transport.error).toBeUndefined();
    // mediasoup accepts a producer before the transport's DTLS is up: enough to exercise the share log.
    const share = await clerk.request('produce', {
      transportId: transport.data.id,
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 1234 }] },
      appData: { source: 'screen' },
    });
    expect(share.error).toBeUndefined();
    expect((await clerk.request('producer:close', { producerId: share.data.id })).error).toBeUndefined();
    await expect.poll(async () => {
      const log = await t.api('GET', `/assist-sessions/${s.id}/events`, undefined, as('clerkV'));
      return log.body.filter((e: { type: string }) => e.type.startsWith('share')).map((e: { type: string; actorId: string }) => [e.type, e.actorId]);
    }, { timeout: 15_000 }).toEqual([['shareStarted', hall.staffIds.clerkV], ['shareStopped', hall.staffIds.clerkV]]);
    await t.api('POST', `/assist-sessions/${s.id}/end`, undefined, as('clerkV'));
  });

  it('refuses a token for another room', async () => {
    const a = await answeredSession();
    const b = await answeredSession();
    const clerkOfB = await media(b.clerk);
    const wrongRoom = await clerkOfB.request('room:join', { roomId: a.roomId });
    expect(wrongRoom.error?.code).toBe('ROOM_MISMATCH');
    // …and with no roomId it joins the room its token names, never another.
    const own = await clerkOfB.request('room:join', {});
    expect(own.data.roomId).toBe(b.roomId);
    for (const s of [a, b]) await t.api('POST', `/assist-sessions/${s.id}/end`, undefined, as('clerkV'));
  });

  it('refuses a token not signed with the media key, even one naming a real participant', async () => {
    const s = await answeredSession();
    const claims = { roomId: s.roomId, participantId: hall.staffIds.expertD2, role: 'expert' as const, displayName: 'x', sessionRef: `assistSession:${s.id}`, exp: clock.now() + 60_000 };
    // The server secret itself is not the media key: a token signed with it is as good as none.
    expect(await handshakeOutcome(t.url, signJoinToken(claims, t.config.secret))).toBe('TOKEN_INVALID');
    expect(await handshakeOutcome(t.url, 'garbage')).toBe('TOKEN_INVALID');
    await t.api('POST', `/assist-sessions/${s.id}/end`, undefined, as('clerkV'));
  });

  it('refuses an expired token, and a renewed one works while the session lasts', async () => {
    const s = await answeredSession();
    clock.advance(t.config.media.tokenTtlSec * 1000 + 1_000);
    expect(await handshakeOutcome(t.url, s.expert)).toBe('TOKEN_EXPIRED');
    const renewed = await t.api('POST', `/assist-sessions/${s.id}/token`, undefined, as(s.expertName));
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.expiresAt)).toBeGreaterThan(clock.now());
    const c = await media(renewed.body.token);
    expect((await c.request('room:join', {})).data.peerId).toBe(hall.staffIds[s.expertName]);
    await t.api('POST', `/assist-sessions/${s.id}/end`, undefined, as(s.expertName));
  });

  it('lets an invited third party in with its own token, after the invitation only', async () => {
    const s = await answeredSession();
    expect((await t.api('POST', `/assist-sessions/${s.id}/token`, undefined, as('expertWJ'))).status).toBe(403);
    await t.api('POST', `/assist-sessions/${s.id}/invite`, { staffId: hall.staffIds.expertWJ }, as(s.expertName));
    const token = await t.api('POST', `/assist-sessions/${s.id}/token`, undefined, as('expertWJ'));
    const c = await media(token.body.token);
    const joined = await c.request('room:join', {});
    expect(joined.data).toMatchObject({ roomId: s.roomId, peerId: hall.staffIds.expertWJ, role: 'expert' });
    await t.api('POST', `/assist-sessions/${s.id}/end`, undefined, as('clerkV'));
  });
});
