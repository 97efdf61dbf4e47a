// The /media contract (API.md "Video assistance") against a real socket.io server, real socket.io clients and
// real mediasoup workers. Media does not flow here (no ICE/DTLS peer); two-browsers.test.ts covers that.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyJoinToken } from '../../sfu/src/index.ts';
import { audioRtpParameters, connectClient, startMediaServer, token, videoRtpParameters, type TestClient, type TestServer } from './helpers.ts';

let server: TestServer;
const clients: TestClient[] = [];
async function client(t: string): Promise<TestClient> {
	const c = await connectClient(server.url, t);
	clients.push(c);
	return c;
}

beforeAll(async () => {
	server = await startMediaServer({ numWorkers: 2 });
});
afterAll(async () => {
	for (const c of clients) c.close();
	await server?.close();
});

async function refusal(t: string): Promise<unknown> {
	try {
		await client(t);
	} catch (error) {
		return (error as { data?: unknown }).data;
	}
	throw new Error('connection was accepted');
}

describe('join tokens', () => {
	test('verify rejects a tampered, foreign-secret or expired token and accepts a good one', () => {
		const now = Date.now();
		const good = token({ roomId: 'r', participantId: 'p', exp: now + 1000 });
		expect(verifyJoinToken(good, 'test-secret-for-media-tokens', now)).toMatchObject({ ok: true, claims: { roomId: 'r', participantId: 'p' } });
		expect(verifyJoinToken(good, 'other', now)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
		expect(verifyJoinToken(`${good}x`, 'test-secret-for-media-tokens', now)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
		expect(verifyJoinToken(good, 'test-secret-for-media-tokens', now + 1000)).toEqual({ ok: false, code: 'TOKEN_EXPIRED' });
		expect(verifyJoinToken(42, 'test-secret-for-media-tokens', now)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
	});
});

describe('handshake and room:join', () => {
	test('a valid token joins its room and sees the router capabilities and the other peers', async () => {
		server.openRooms.add('room-a');
		const a = await client(token({ roomId: 'room-a', participantId: 'clerk-1', role: 'clerk', displayName: '王小明' }));
		const joinA = await a.ok('room:join', {});
		expect(joinA).toMatchObject({ roomId: 'room-a', peerId: 'clerk-1', role: 'clerk', peers: [], iceServers: [] });
		expect(joinA.routerRtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(
			expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']),
		);

		const b = await client(token({ roomId: 'room-a', participantId: 'expert-1', role: 'expert', displayName: '李专家' }));
		const joinB = await b.ok('room:join', { roomId: 'room-a' });
		expect(joinB.peers).toEqual([{ peerId: 'clerk-1', role: 'clerk', displayName: '王小明', producers: [] }]);
		expect(await a.next('peer.joined')).toEqual({ peer: { peerId: 'expert-1', role: 'expert', displayName: '李专家', producers: [] } });
		expect(server.events.filter((e) => e.roomId === 'room-a').map((e) => `${e.type}:${e.participantId}`)).toEqual([
			'joined:clerk-1',
			'joined:expert-1',
		]);

		await b.ok('room:leave', {});
		expect(await a.next('peer.left')).toEqual({ peerId: 'expert-1' });
	});

	test('an expired token is refused at the handshake with TOKEN_EXPIRED', async () => {
		server.openRooms.add('room-b');
		expect(await refusal(token({ roomId: 'room-b', participantId: 'p', exp: Date.now() - 1 }))).toEqual({
			code: 'TOKEN_EXPIRED',
			message: expect.any(String),
		});
	});

	test('a token signed with another secret, or garbage, is refused with TOKEN_INVALID', async () => {
		server.openRooms.add('room-b');
		expect(await refusal(token({ roomId: 'room-b', participantId: 'p' }, 'someone-elses-secret'))).toMatchObject({ code: 'TOKEN_INVALID' });
		expect(await refusal('not-a-token')).toMatchObject({ code: 'TOKEN_INVALID' });
	});

	test('a token for another room cannot join this one (ROOM_MISMATCH)', async () => {
		server.openRooms.add('room-c');
		server.openRooms.add('room-d');
		const c = await client(token({ roomId: 'room-c', participantId: 'p' }));
		expect(await c.request('room:join', { roomId: 'room-d' })).toEqual({ error: { code: 'ROOM_MISMATCH', message: expect.any(String) } });
	});

	test('a room whose session is not open is refused (ROOM_CLOSED), at the handshake and at join', async () => {
		expect(await refusal(token({ roomId: 'room-never-opened', participantId: 'p' }))).toMatchObject({ code: 'ROOM_CLOSED' });

		server.openRooms.add('room-e');
		const e = await client(token({ roomId: 'room-e', participantId: 'p' }));
		server.openRooms.delete('room-e');
		expect(await e.request('room:join', {})).toMatchObject({ error: { code: 'ROOM_CLOSED' } });
	});

	test('closeRoom tells everyone room.closed and the room is gone', async () => {
		server.openRooms.add('room-f');
		const f = await client(token({ roomId: 'room-f', participantId: 'p' }));
		await f.ok('room:join', {});
		expect(server.media.room('room-f')).toBeDefined();
		server.openRooms.delete('room-f');
		server.media.closeRoom('room-f', 'sessionEnded');
		expect(await f.next('room.closed')).toEqual({ reason: 'sessionEnded' });
		expect(server.media.room('room-f')).toBeUndefined();
		expect(await f.request('transport:create', { direction: 'send' })).toMatchObject({ error: { code: 'NOT_JOINED' } });
		expect(await f.request('room:join', {})).toMatchObject({ error: { code: 'ROOM_CLOSED' } });
	});

	test('a second live connection with the same token replaces the first', async () => {
		server.openRooms.add('room-g');
		const t = token({ roomId: 'room-g', participantId: 'citizen-1', role: 'citizen' });
		const other = await client(token({ roomId: 'room-g', participantId: 'clerk-9' }));
		await other.ok('room:join', {});
		const first = await client(t);
		await first.ok('room:join', {});
		await other.next('peer.joined');

		const disconnected = new Promise<string>((resolve) => first.socket.once('disconnect', (reason) => resolve(reason)));
		const second = await client(t);
		expect(await first.next('room.closed')).toEqual({ reason: 'replaced' });
		expect(await disconnected).toBe('io server disconnect');
		expect(await other.next('peer.left')).toEqual({ peerId: 'citizen-1' });

		const join = await second.ok('room:join', {});
		expect(join.peers.map((p) => p.peerId)).toEqual(['clerk-9']);
		expect(await other.next('peer.joined')).toMatchObject({ peer: { peerId: 'citizen-1' } });
		expect([...(server.media.room('room-g')?.peers.keys() ?? [])].sort()).toEqual(['citizen-1', 'clerk-9']);
	});
});

describe('payload validation', () => {
	let v: TestClient;
	beforeAll(async () => {
		server.openRooms.add('room-v');
		v = await client(token({ roomId: 'room-v', participantId: 'p' }));
	});

	test('requests before room:join answer NOT_JOINED', async () => {
		expect(await v.request('transport:create', { direction: 'send' })).toMatchObject({ error: { code: 'NOT_JOINED' } });
	});

	test.each([
		['room:join', { roomId: 42 }],
		['room:join', { extra: true }],
		['room:join', null],
		['transport:create', { direction: 'sideways' }],
		['transport:connect', { transportId: 't', dtlsParameters: { fingerprints: [] } }],
		['produce', { transportId: 't', kind: 'video', rtpParameters: { codecs: [] }, appData: { source: 'camera' } }],
		['produce', { transportId: 't', kind: 'audio', rtpParameters: audioRtpParameters(1), appData: { source: 'microphone' } }],
		['consume', { transportId: 't', producerId: 'x'.repeat(65), rtpCapabilities: {} }],
		['consumer:resume', {}],
		['producer:close', { producerId: 7 }],
		['transport:restartIce', 'x'],
		['room:leave', { now: true }],
	] as const)('%s %j → VALIDATION_FAILED', async (name, payload) => {
		const ack = await v.request(name, payload as Record<string, unknown>);
		expect(ack).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining(name) } });
	});

	test('the connection survives bad payloads', async () => {
		expect(await v.ok('room:join', {})).toMatchObject({ roomId: 'room-v' });
	});
});

describe('produce and consume', () => {
	test('a producer reaches the other peer, who consumes it paused, resumes it, and hears when it closes', async () => {
		server.openRooms.add('room-p');
		const a = await client(token({ roomId: 'room-p', participantId: 'a' }));
		const b = await client(token({ roomId: 'room-p', participantId: 'b' }));
		await a.ok('room:join', {});
		const { routerRtpCapabilities } = await b.ok('room:join', {});

		const send = await a.ok('transport:create', { direction: 'send' });
		expect(send.iceCandidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
		expect(send.iceCandidates[0]?.ip).toBe('127.0.0.1');
		expect(await a.request('produce', { transportId: send.id, kind: 'video', rtpParameters: audioRtpParameters(1), appData: { source: 'mic' } })).toMatchObject({
			error: { code: 'VALIDATION_FAILED' },
		});
		const cam = await a.ok('produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtpParameters(2000), appData: { source: 'camera' } });
		expect(await a.request('produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtpParameters(3000), appData: { source: 'camera' } })).toMatchObject({
			error: { code: 'LIMIT_REACHED' },
		});
		expect(await b.next('producer.new')).toEqual({ peerId: 'a', producerId: cam.id, kind: 'video', source: 'camera' });

		const recv = await b.ok('transport:create', { direction: 'recv' });
		expect(await b.request('consume', { transportId: send.id, producerId: cam.id, rtpCapabilities: routerRtpCapabilities })).toMatchObject({
			error: { code: 'NOT_FOUND' },
		});
		expect(await b.request('consume', { transportId: recv.id, producerId: cam.id, rtpCapabilities: { codecs: [] } })).toMatchObject({
			error: { code: 'CANNOT_CONSUME' },
		});
		const consumer = await b.ok('consume', { transportId: recv.id, producerId: cam.id, rtpCapabilities: routerRtpCapabilities });
		expect(consumer).toMatchObject({ producerId: cam.id, kind: 'video', appData: { peerId: 'a', source: 'camera' } });
		const serverConsumer = server.media.room('room-p')?.peers.get('b')?.consumers.get(consumer.id);
		expect(serverConsumer?.paused).toBe(true);
		await b.ok('consumer:resume', { consumerId: consumer.id });
		expect(serverConsumer?.paused).toBe(false);

		const restarted = await b.ok('transport:restartIce', { transportId: recv.id });
		expect(restarted.iceParameters.usernameFragment).toEqual(expect.any(String));

		await a.ok('producer:close', { producerId: cam.id });
		expect(await b.next('producer.closed')).toEqual({ producerId: cam.id });
		expect(await b.next('consumer.closed')).toEqual({ consumerId: consumer.id });
		expect(await b.request('consumer:resume', { consumerId: consumer.id })).toMatchObject({ error: { code: 'NOT_FOUND' } });
	});

	test('a screen share is consumed with a higher priority and reported as shareStarted/shareStopped', async () => {
		server.openRooms.add('room-s');
		const a = await client(token({ roomId: 'room-s', participantId: 'a' }));
		const b = await client(token({ roomId: 'room-s', participantId: 'b' }));
		await a.ok('room:join', {});
		const { routerRtpCapabilities } = await b.ok('room:join', {});
		const send = await a.ok('transport:create', { direction: 'send' });
		const cam = await a.ok('produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtpParameters(4000), appData: { source: 'camera' } });
		const screen = await a.ok('produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtpParameters(5000, 'SCREEN'), appData: { source: 'screen' } });
		const recv = await b.ok('transport:create', { direction: 'recv' });
		const camConsumer = await b.ok('consume', { transportId: recv.id, producerId: cam.id, rtpCapabilities: routerRtpCapabilities });
		const screenConsumer = await b.ok('consume', { transportId: recv.id, producerId: screen.id, rtpCapabilities: routerRtpCapabilities });
		const consumers = server.media.room('room-s')?.peers.get('b')?.consumers;
		const camPriority = consumers?.get(camConsumer.id)?.priority ?? 0;
		expect(consumers?.get(screenConsumer.id)?.priority).toBeGreaterThan(camPriority);
		expect(screenConsumer.appData.source).toBe('screen');

		a.close(); // disconnecting leaves the room
		expect(await b.next('peer.left')).toEqual({ peerId: 'a' });
		const types = server.events.filter((e) => e.roomId === 'room-s').map((e) => `${e.type}:${e.participantId}`);
		expect(types).toEqual(['joined:a', 'joined:b', 'shareStarted:a', 'shareStopped:a', 'left:a']);
	});

	test('a room past maxPeersPerRouter on a one-worker node keeps its peers on one router, so they hear each other', async () => {
		// mediasoup 3.12 cannot pipe between two routers of one worker (the piped producer keeps its id).
		const single = await startMediaServer({ numWorkers: 1, roomOptions: { maxPeersPerRouter: 1 } });
		try {
			single.openRooms.add('room-one-worker');
			const a = await connectClient(single.url, token({ roomId: 'room-one-worker', participantId: 'a' }));
			const b = await connectClient(single.url, token({ roomId: 'room-one-worker', participantId: 'b' }));
			clients.push(a, b);
			await a.ok('room:join', {});
			const { routerRtpCapabilities } = await b.ok('room:join', {});
			expect(single.media.room('room-one-worker')?.routers).toHaveLength(1);
			const send = await a.ok('transport:create', { direction: 'send' });
			const mic = await a.ok('produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtpParameters(6100), appData: { source: 'mic' } });
			const recv = await b.ok('transport:create', { direction: 'recv' });
			expect(await b.ok('consume', { transportId: recv.id, producerId: mic.id, rtpCapabilities: routerRtpCapabilities })).toMatchObject({ producerId: mic.id, kind: 'audio' });
		} finally {
			await single.close();
		}
	});

	test('peers on different workers are connected with pipeToRouter', async () => {
		const piped = await startMediaServer({ numWorkers: 2, roomOptions: { maxPeersPerRouter: 1 } });
		try {
			piped.openRooms.add('room-pipe');
			const a = await connectClient(piped.url, token({ roomId: 'room-pipe', participantId: 'a' }));
			const b = await connectClient(piped.url, token({ roomId: 'room-pipe', participantId: 'b' }));
			clients.push(a, b);
			await a.ok('room:join', {});
			const { routerRtpCapabilities } = await b.ok('room:join', {});
			expect(piped.media.roomWorkers('room-pipe')?.sort()).toEqual([0, 1]);

			const send = await a.ok('transport:create', { direction: 'send' });
			const mic = await a.ok('produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtpParameters(6000), appData: { source: 'mic' } });
			const recv = await b.ok('transport:create', { direction: 'recv' });
			const consumer = await b.ok('consume', { transportId: recv.id, producerId: mic.id, rtpCapabilities: routerRtpCapabilities });
			expect(consumer).toMatchObject({ producerId: mic.id, kind: 'audio' });
			// The consumer lives on b's router, fed by a pipe producer carrying a's producer id.
			const room = piped.media.room('room-pipe');
			const [routerA, routerB] = [room?.peers.get('a')?.router, room?.peers.get('b')?.router];
			expect(routerA?.id).not.toBe(routerB?.id);
			const dumpB = (await routerB?.dump()) as { mapProducerIdConsumerIds: Record<string, string[]>; transportIds: string[] } | undefined;
			expect(dumpB?.mapProducerIdConsumerIds[mic.id]).toEqual([consumer.id]);
			expect(dumpB?.transportIds).toHaveLength(2); // b's recv transport and the pipe from a's router

			await a.ok('producer:close', { producerId: mic.id });
			expect(await b.next('consumer.closed')).toEqual({ consumerId: consumer.id });
		} finally {
			await piped.close();
		}
	});
});
