// A mediasoup worker killed with SIGKILL: its rooms are rebuilt on another worker, every peer hears
// room.rejoin, joins again with the same token, and the dead worker's slot comes back on its port.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { audioRtpParameters, connectClient, startMediaServer, token, type TestClient, type TestServer } from './helpers.ts';

let server: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
	server = await startMediaServer({ numWorkers: 2 });
});
afterAll(async () => {
	for (const c of clients) c.close();
	await server?.close();
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 50));
	}
}

test('killing a room’s worker moves the room and its peers rejoin with the same token', async () => {
	server.openRooms.add('room-k');
	server.openRooms.add('room-other');
	const a = await connectClient(server.url, token({ roomId: 'room-k', participantId: 'a' }));
	const b = await connectClient(server.url, token({ roomId: 'room-k', participantId: 'b' }));
	clients.push(a, b);
	await a.ok('room:join', {});
	await b.ok('room:join', {});
	const send = await a.ok('transport:create', { direction: 'send' });
	await a.ok('produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtpParameters(7000), appData: { source: 'mic' } });
	await b.next('producer.new');

	const [workerIndex] = server.media.roomWorkers('room-k') ?? [];
	if (workerIndex === undefined) throw new Error('room has no worker');
	// Another room on the other worker must not be disturbed.
	const c = await connectClient(server.url, token({ roomId: 'room-other', participantId: 'c' }));
	clients.push(c);
	await c.ok('room:join', {});
	const otherRoom = server.media.room('room-other');
	const pid = server.media.pool.pidOf(workerIndex);
	if (pid === undefined) throw new Error('no pid');
	const portBefore = server.media.pool.stats()[workerIndex]?.port;

	process.kill(pid, 'SIGKILL');
	expect(await a.next('room.rejoin')).toEqual({ reason: 'workerDied' });
	expect(await b.next('room.rejoin')).toEqual({ reason: 'workerDied' });
	// The dying worker's closing producers are not announced one by one: room.rejoin says it all.
	expect(b.received.map((r) => r.event)).not.toContain('producer.closed');

	// The old peer state is gone: media requests need a new join.
	expect(await a.request('transport:create', { direction: 'send' })).toMatchObject({ error: { code: 'NOT_JOINED' } });
	const rejoinA = await a.ok('room:join', {});
	expect(rejoinA.peers).toEqual([]);
	const rejoinB = await b.ok('room:join', {});
	expect(rejoinB.peers.map((p) => p.peerId)).toEqual(['a']);
	expect(server.media.roomWorkers('room-k')).not.toContain(workerIndex);

	// Media works again in the rebuilt room.
	const send2 = await a.ok('transport:create', { direction: 'send' });
	const mic = await a.ok('produce', { transportId: send2.id, kind: 'audio', rtpParameters: audioRtpParameters(8000), appData: { source: 'mic' } });
	const recv = await b.ok('transport:create', { direction: 'recv' });
	const consumer = await b.ok('consume', { transportId: recv.id, producerId: mic.id, rtpCapabilities: rejoinB.routerRtpCapabilities });
	expect(consumer.producerId).toBe(mic.id);

	if (server.media.roomWorkers('room-other')?.includes(workerIndex)) {
		// Both rooms shared the worker: room-other was moved too and c was told so.
		expect(await c.next('room.rejoin')).toEqual({ reason: 'workerDied' });
	} else {
		expect(server.media.room('room-other')).toBe(otherRoom);
		expect(c.received.find((r) => r.event === 'room.rejoin')).toBeUndefined();
	}

	// The slot restarts a worker on the same port.
	await waitFor(() => server.media.pool.stats()[workerIndex]?.alive === true);
	const after = server.media.pool.stats()[workerIndex];
	expect(after?.pid).not.toBe(pid);
	expect(after?.port).toBe(portBefore);
	expect(after?.deaths).toBe(1);
	expect(server.media.stats().workerDeaths).toBe(1);
});
