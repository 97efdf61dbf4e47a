/**
 * Media nodes per region, as separate processes on loopback: a Qingpu (SH-QP) and a Wujiang (JS-WJ) media
 * node register in Redis, an API node (YC_MEDIA=0) places each participant of a 三地 call on its own
 * region's node (the Jiashan desk, whose region has no node, on the least loaded one), the room spans the two
 * nodes over an SRTP PipeTransport negotiated through Redis, and after `kill -9` of the Wujiang node its clerk
 * gets a fresh join naming the live node at once (the renewal names the node lost) and is back in the room,
 * producing, within 10 s, while the room on
 * the Qingpu node goes on. Drained (SIGUSR2), a node keeps its calls but is offered to nobody new and opens no
 * new room. The namespace test (media-span-netns.test.ts) does the same with real browsers
 * over links with latency and loss.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';
import { freePort, httpJson, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { audioRtpParameters, videoRtpParameters } from '../sfu/helpers.ts';
import { freePortBase } from './helpers.ts';
import { connectMediaAt, nextEvent, type MediaClient } from './media-node-helpers.ts';
import { openSpanCall, type SpanCall } from './media-span-helpers.ts';

const ADMIN_PASSWORD = 'proc-admin-pass'; // startServerProcess's
let db: TestDatabase;
let api: ServerProcess;
const nodes: Record<string, ServerProcess> = {};
const clients: MediaClient[] = [];
let shared: Record<string, string>;

async function startMediaNode(region: string): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess({
    ...shared,
    YC_MEDIA: '1',
    YC_MEDIA_REGION: region,
    YC_MEDIA_NODE_ID: `media-${region.toLowerCase()}`,
    YC_MEDIA_URL: `http://127.0.0.1:${port}`,
    MEDIASOUP_WORKER_BIN: await resolveMediasoupWorker(),
    YC_MEDIA_WORKERS: '1',
    YC_RTC_BASE_PORT: String(await freePortBase(1)),
  }, port);
}

beforeAll(async () => {
  db = await createTestDatabase();
  shared = {
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    YC_REDIS_PREFIX: `yct-span-${randomBytes(4).toString('hex')}`,
    YC_SECRET: 'media-span-test-secret',
    YC_MEDIA_PATH: '/media-io',
  };
  nodes.SH = await startMediaNode('SH-QP');
  nodes.WJ = await startMediaNode('JS-WJ');
  api = await startServerProcess({ ...shared, YC_MEDIA: '0' });
}, 600_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await api?.stop();
  for (const n of Object.values(nodes)) await n.stop('SIGKILL');
  await db?.drop();
});

async function join(call: SpanCall, who: keyof SpanCall['join'], info = call.join[who]): Promise<{ client: MediaClient; answer: any }> {
  const client = await connectMediaAt(info.media.url ?? api.url, info.media.path, info.token);
  clients.push(client);
  const joined = await client.request('room:join', {});
  expect(joined.error).toBeUndefined();
  return { client, answer: joined.data };
}

async function produce(client: MediaClient, ssrc: number): Promise<{ mic: string; cam: string }> {
  const send = (await client.request('transport:create', { direction: 'send' })).data;
  const mic = await client.request('produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtpParameters(ssrc), appData: { source: 'mic' } });
  const cam = await client.request('produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtpParameters(ssrc + 10), appData: { source: 'camera' } });
  expect(mic.error ?? cam.error).toBeUndefined();
  return { mic: mic.data.id, cam: cam.data.id };
}

/** Collects `producer.new` events of `socket` from `peerId`. */
function producersFrom(client: MediaClient, peerId: string): Set<string> {
  const seen = new Set<string>();
  client.socket.on('producer.new', (p: { peerId: string; producerId: string }) => {
    if (p.peerId === peerId) seen.add(p.producerId);
  });
  return seen;
}

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CAPS = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 },
  ],
};

describe('media nodes per region', () => {
  it('place each participant on its region’s node, span the room, fail over after kill -9 within 10 s, and drain', { timeout: 120_000 }, async () => {
    const call = await openSpanCall(api.url, ADMIN_PASSWORD, randomBytes(3).toString('hex'));
    // Placement: the clerk's site is in JS-WJ, the expert's in SH-QP; no node serves ZJ-JS.
    expect(call.join.clerkWJ.media).toEqual({ url: nodes.WJ?.url, path: '/media-io', node: 'media-js-wj', region: 'JS-WJ' });
    expect(call.join.expertSH.media).toEqual({ url: nodes.SH?.url, path: '/media-io', node: 'media-sh-qp', region: 'SH-QP' });
    expect(['media-js-wj', 'media-sh-qp']).toContain(call.join.expertZJ.media.node);
    // A lost node that is not a node id is refused in the contract's format.
    const badLost = await httpJson(api.url, 'POST', `/assist-sessions/${call.sessionId}/token?lostNode=${'x'.repeat(129)}`, undefined, call.auth.clerkWJ);
    expect(badLost.status).toBe(400);
    expect(badLost.body.error.code).toBe('VALIDATION_FAILED');

    const expert = await join(call, 'expertSH');
    const fromClerk = producersFrom(expert.client, call.staffIds.clerkWJ);
    const clerkArrives = nextEvent<{ peer: { peerId: string } }>(expert.client.socket, 'peer.joined');
    const clerk = await join(call, 'clerkWJ');
    expect((await clerkArrives).peer.peerId).toBe(call.staffIds.clerkWJ);
    const sent = await produce(clerk.client, 3000);
    // The clerk's producers reach the expert's node over the pipe and are announced there.
    await until(() => fromClerk.has(sent.mic) && fromClerk.has(sent.cam), 'clerk producers announced on the SH node', 10_000);
    const recv = (await expert.client.request('transport:create', { direction: 'recv' })).data;
    const consumed = await expert.client.request('consume', { transportId: recv.id, producerId: sent.cam, rtpCapabilities: CAPS });
    expect(consumed.error).toBeUndefined();
    expect(consumed.data.appData).toEqual({ peerId: call.staffIds.clerkWJ, source: 'camera' });

    // kill -9 the Wujiang node. Its clerk is told by its socket closing; the expert by peer.left.
    const clerkGone = nextEvent(expert.client.socket, 'peer.left', 10_000);
    const dropped = new Promise((resolve) => clerk.client.socket.once('disconnect', resolve));
    const killedAt = Date.now();
    nodes.WJ?.child.kill('SIGKILL');
    await dropped;
    // The dead node's record lives on for up to 3 heartbeats: a renewal that does not say what it lost is
    // still sent there.
    expect((await call.renew('clerkWJ')).media.node).toBe('media-js-wj');
    // The client's renewal names the node it lost (?lostNode=, as renewJoin does): the first answer names a
    // live node at once, not once the record expires.
    const fresh = await call.renew('clerkWJ', 'media-js-wj');
    const renewedMs = Date.now() - killedAt;
    expect(fresh.media).toMatchObject({ url: nodes.SH?.url, node: 'media-sh-qp' });
    // Rationale: the record outlives a kill by 2 s at least (3 beats of 1 s, the last up to 1 s before it).
    expect(renewedMs).toBeLessThan(1_500);
    const back = await join(call, 'clerkWJ', fresh);
    const again = producersFrom(expert.client, call.staffIds.clerkWJ);
    const resent = await produce(back.client, 4000);
    await until(() => again.has(resent.cam), 'the clerk producing again', 10_000);
    const recoveredMs = Date.now() - killedAt;
    expect(recoveredMs).toBeLessThan(10_000);
    await clerkGone;
    // The expert's connection was never touched: same socket, same room.
    expect(expert.client.socket.connected).toBe(true);
    const consumedAgain = await expert.client.request('consume', { transportId: recv.id, producerId: resent.cam, rtpCapabilities: CAPS });
    expect(consumedAgain.error).toBeUndefined();
    console.info(`[media-span] after kill -9 of its node, the clerk had a join naming a live node in ${renewedMs} ms and was producing there in ${recoveredMs} ms`);

    // Maintenance: a Jiashan node comes up and the Qingpu node is drained (SIGUSR2). Its room goes on; new
    // participants of SH-QP go elsewhere, and it refuses to open new rooms.
    nodes.ZJ = await startMediaNode('ZJ-JS');
    nodes.SH?.child.kill('SIGUSR2');
    // Within a heartbeat or two, the API nodes stop offering the Qingpu node to its own region.
    let later = await call.renew('expertSH');
    for (let i = 0; i < 40 && later.media.node !== 'media-zj-js'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      later = await call.renew('expertSH');
    }
    expect(later.media.node).toBe('media-zj-js');
    const next = await openSpanCall(api.url, ADMIN_PASSWORD, randomBytes(3).toString('hex'));
    expect(next.join.expertSH.media.node).toBe('media-zj-js');
    const refused = await connectMediaAt(nodes.SH?.url ?? '', '/media-io', next.join.expertSH.token);
    clients.push(refused);
    expect((await refused.request('room:join', {})).error?.code).toBe('UNAVAILABLE');
    // The call already on the drained node goes on: its participants keep working there.
    const stillThere = await expert.client.request('transport:create', { direction: 'recv' });
    expect(stillThere.error).toBeUndefined();
    expect(expert.client.socket.connected).toBe(true);
  });
});
