// Two media services with their own worker pools (two "nodes", on loopback) link one room with an SRTP
// PipeTransport: participants of one node see the other node's participants and consume their producers,
// each producer crosses the link once however many consumers the far node has, and a participant that
// moves from one node to the other replaces its old self. The bus and directory are in memory here; the
// server's Redis ones are exercised by test/video/media-span.test.ts.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CascadeMessage, RoomDirectory } from '../../sfu/src/index.ts';
import { audioRtpParameters, connectClient, startMediaServer, token, videoRtpParameters, type TestClient, type TestServer } from './helpers.ts';

const servers = new Map<string, TestServer>();
const directory = new Map<string, Set<string>>();
const clients: TestClient[] = [];
const ROOM = 'span-room';
const LOSSY_ROOM = 'lossy-room';
const SPLIT_ROOM = 'split-room';
/** Messages the bus loses on purpose (the lossy-room test). */
let lose: (message: CascadeMessage) => boolean = () => false;

function directoryOf(node: string): RoomDirectory {
	return {
		async enter(roomId) {
			const nodes = directory.get(roomId) ?? new Set<string>();
			nodes.add(node);
			directory.set(roomId, nodes);
			return [...nodes].filter((n) => n !== node);
		},
		async leave(roomId) {
			directory.get(roomId)?.delete(node);
		},
	};
}

beforeAll(async () => {
	for (const node of ['node-a', 'node-b']) {
		const server = await startMediaServer({
			// Node A opens a second router, on its second worker, for a room's second participant (the split-room
			// test): the links live on a room's first router, so a producer on the second must be piped to the
			// first to cross.
			...(node === 'node-a' ? { numWorkers: 2, roomOptions: { maxPeersPerRouter: 1 } } : { numWorkers: 1 }),
			cascade: {
				nodeId: node,
				listenIp: '127.0.0.1',
				directory: directoryOf(node),
				// In order per pair, asynchronously, as Redis pub/sub delivers.
				bus: {
					send: (to: string, message: CascadeMessage) => {
						if (!lose(message)) setImmediate(() => servers.get(to)?.media.cascade?.receive(structuredClone(message)));
					},
				},
				// Short, so the lossy-room test heals in well under a second.
				reconcileIntervalMs: 300,
				linkTimeoutMs: 600,
			},
		});
		server.openRooms.add(ROOM);
		server.openRooms.add(LOSSY_ROOM);
		server.openRooms.add(SPLIT_ROOM);
		servers.set(node, server);
	}
}, 120_000);
afterAll(async () => {
	for (const c of clients) c.close();
	for (const s of servers.values()) await s.close();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error(`${what}: not in time`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

test('a room spanning two nodes: peers and producers cross once per producer, over an SRTP pipe', async () => {
	const a = servers.get('node-a');
	const b = servers.get('node-b');
	if (!a || !b) throw new Error('servers missing');
	const clerk = await connectClient(a.url, token({ roomId: ROOM, participantId: 'clerk', role: 'clerk' }));
	clients.push(clerk);
	await clerk.ok('room:join', {});
	const send = await clerk.ok('transport:create', { direction: 'send' });
	const mic = await clerk.ok('produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtpParameters(1111), appData: { source: 'mic' } });
	const cam = await clerk.ok('produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtpParameters(2222), appData: { source: 'camera' } });

	const expert = await connectClient(b.url, token({ roomId: ROOM, participantId: 'expert', role: 'expert' }));
	clients.push(expert);
	await expert.ok('room:join', {});
	// The link comes up after the join: the clerk arrives as events.
	expect((await expert.next('peer.joined')).peer).toMatchObject({ peerId: 'clerk', role: 'clerk' });
	const announced = [await expert.next('producer.new'), await expert.next('producer.new')];
	expect(announced.map((p) => p.producerId).sort()).toEqual([mic.id, cam.id].sort());
	expect((await clerk.next('peer.joined')).peer).toMatchObject({ peerId: 'expert', role: 'expert' });

	expect(a.media.cascade?.linkedNodes(ROOM)).toEqual(['node-b']);
	// What comes off the bus is checked like any inbound payload: a malformed offer changes nothing.
	a.media.cascade?.receive({ type: 'offer', roomId: ROOM, from: 'node-b', ip: '127.0.0.1', port: 'x' });
	await new Promise((r) => setTimeout(r, 50));
	expect(a.media.cascade?.linkedNodes(ROOM)).toEqual(['node-b']);

	// Two consumers on node B of the clerk's camera: still one pipe consumer per producer on node A.
	const recv = await expert.ok('transport:create', { direction: 'recv' });
	const caps = { codecs: [
		{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
		{ kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 },
	] };
	const consumed = await expert.ok('consume', { transportId: recv.id, producerId: cam.id, rtpCapabilities: caps });
	expect(consumed.appData).toEqual({ peerId: 'clerk', source: 'camera' });
	const citizen = await connectClient(b.url, token({ roomId: ROOM, participantId: 'citizen', role: 'citizen' }));
	clients.push(citizen);
	const citizenJoin = await citizen.ok('room:join', {});
	// A later joiner on node B gets the clerk (from node A) in its join answer, producers and all.
	expect(citizenJoin.peers.find((p) => p.peerId === 'clerk')?.producers.map((p) => p.producerId).sort()).toEqual([mic.id, cam.id].sort());
	const recv2 = await citizen.ok('transport:create', { direction: 'recv' });
	await citizen.ok('consume', { transportId: recv2.id, producerId: cam.id, rtpCapabilities: caps });
	expect(a.media.stats().cascade).toEqual({ links: 1, pipedOut: 2 });
	expect(b.media.stats().remotePeers).toBe(1);
	// One SRTP pipe each way, and on node A one pipe consumer per producer, not per consumer on node B.
	expect(a.media.cascade?.links(ROOM)).toEqual([{ node: 'node-b', ready: true, srtp: true, pipedOut: 2 }]);
	expect(b.media.cascade?.links(ROOM)).toEqual([{ node: 'node-a', ready: true, srtp: true, pipedOut: 0 }]);

	// The clerk closes the camera: node B's consumers end.
	await clerk.ok('producer:close', { producerId: cam.id });
	expect(await expert.next('producer.closed')).toEqual({ producerId: cam.id });

	// The clerk moves to node B (say node A died): node B forgets what node A said about it.
	clerk.close();
	await waitFor(() => (b.media.room(ROOM)?.remotePeerIds ?? []).length === 0, 'clerk left node B');
	const moved = await connectClient(b.url, token({ roomId: ROOM, participantId: 'clerk', role: 'clerk' }));
	clients.push(moved);
	const again = await moved.ok('room:join', {});
	expect(again.peers.map((p) => p.peerId).sort()).toEqual(['citizen', 'expert']);
});


test('a link whose first offer and answer are lost is made again by the next reconcile', async () => {
	const a = servers.get('node-a');
	const b = servers.get('node-b');
	if (!a || !b) throw new Error('servers missing');
	const lost: string[] = [];
	// Lose the first offer and the first answer of this room: the nodes must notice and try again.
	lose = (m) => {
		if (m.roomId !== LOSSY_ROOM || (m.type !== 'offer' && m.type !== 'answer') || lost.includes(m.type)) return false;
		lost.push(m.type);
		return true;
	};
	const one = await connectClient(a.url, token({ roomId: LOSSY_ROOM, participantId: 'one' }));
	const two = await connectClient(b.url, token({ roomId: LOSSY_ROOM, participantId: 'two' }));
	clients.push(one, two);
	await one.ok('room:join', {});
	await two.ok('room:join', {});
	expect((await two.next('peer.joined', 5_000)).peer.peerId).toBe('one');
	expect((await one.next('peer.joined', 5_000)).peer.peerId).toBe('two');
	expect(lost.sort()).toEqual(['answer', 'offer']);
	expect(a.media.cascade?.links(LOSSY_ROOM)).toMatchObject([{ node: 'node-b', ready: true, srtp: true }]);
	lose = () => false;
});

test('a producer on a room\'s second router on one node crosses to the other node, before and after the link is up', async () => {
	const a = servers.get('node-a');
	const b = servers.get('node-b');
	if (!a || !b) throw new Error('servers missing');
	const caps = { codecs: [
		{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
		{ kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 },
	] };
	// Two participants on node A: one router each (maxPeersPerRouter 1). Nobody on node A consumes the
	// second one's mic, so nothing has piped it to the first router yet.
	const first = await connectClient(a.url, token({ roomId: SPLIT_ROOM, participantId: 'first' }));
	const second = await connectClient(a.url, token({ roomId: SPLIT_ROOM, participantId: 'second' }));
	clients.push(first, second);
	await first.ok('room:join', {});
	await second.ok('room:join', {});
	expect(a.media.room(SPLIT_ROOM)?.routers).toHaveLength(2);
	const send = await second.ok('transport:create', { direction: 'send' });
	const mic = await second.ok('produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtpParameters(3333), appData: { source: 'mic' } });

	// A participant on node B: the link comes up and the mic made before it crosses.
	const far = await connectClient(b.url, token({ roomId: SPLIT_ROOM, participantId: 'far' }));
	clients.push(far);
	await far.ok('room:join', {});
	const announced = await far.next('producer.new', 5_000);
	expect(announced).toMatchObject({ peerId: 'second', producerId: mic.id, source: 'mic' });
	const recv = await far.ok('transport:create', { direction: 'recv' });
	expect((await far.ok('consume', { transportId: recv.id, producerId: mic.id, rtpCapabilities: caps })).appData).toEqual({ peerId: 'second', source: 'mic' });

	// A camera started once the link is up crosses too.
	const cam = await second.ok('produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtpParameters(4444), appData: { source: 'camera' } });
	expect(await far.next('producer.new', 5_000)).toMatchObject({ peerId: 'second', producerId: cam.id, source: 'camera' });
	await far.ok('consume', { transportId: recv.id, producerId: cam.id, rtpCapabilities: caps });
	expect(a.media.cascade?.links(SPLIT_ROOM)).toEqual([{ node: 'node-b', ready: true, srtp: true, pipedOut: 2 }]);
});
