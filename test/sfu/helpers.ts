// Helpers for the SFU tests: a real socket.io server on port 0 with the media service attached to /media,
// real mediasoup workers (the binary from scripts/build-mediasoup-worker.mjs) and real socket.io clients.
import { once } from 'node:events';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import {
	createMediaService,
	signJoinToken,
	type Ack,
	type JoinClaims,
	type MediaService,
	type MediaServiceOptions,
	type RequestName,
	type RequestPayload,
	type Responses,
	type ServerEvents,
} from '../../sfu/src/index.ts';

export const SECRET = 'test-secret-for-media-tokens';

let workerBin: Promise<string> | undefined;
/** The worker binary, built on first use (minutes) and cached in .cache/mediasoup-worker afterwards. */
export function mediasoupWorkerBin(): Promise<string> {
	workerBin ??= resolveMediasoupWorker();
	return workerBin;
}

async function portFree(port: number): Promise<boolean> {
	const tcp = await new Promise<boolean>((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
	if (!tcp) return false;
	return new Promise<boolean>((resolve) => {
		const socket = dgram.createSocket('udp4');
		socket.once('error', () => resolve(false));
		socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
	});
}

/**
 * A base port with `count` free UDP+TCP ports above it, for the WorkerPool's WebRtcServers. Random so that
 * parallel test files (and a dev server on 40000) do not collide.
 */
export async function freePortBase(count: number): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const base = 20000 + Math.floor(Math.random() * 900) * 10;
		let free = true;
		for (let i = 0; i < count && free; i++) free = await portFree(base + i);
		if (free) return base;
	}
	throw new Error('no free port range');
}

export interface TestServer {
	url: string;
	media: MediaService;
	openRooms: Set<string>;
	events: { roomId: string; type: string; participantId: string }[];
	close(): Promise<void>;
}

export async function startMediaServer(
	overrides: Partial<Omit<MediaServiceOptions, 'namespace'>> & { numWorkers?: number; httpHandler?: http.RequestListener } = {},
): Promise<TestServer> {
	const bin = await mediasoupWorkerBin();
	const httpServer = overrides.httpHandler ? http.createServer(overrides.httpHandler) : http.createServer();
	const io = new Server(httpServer);
	httpServer.listen(0, '127.0.0.1');
	await once(httpServer, 'listening');
	const address = httpServer.address();
	if (address === null || typeof address === 'string') throw new Error('no address');
	const openRooms = new Set<string>();
	const events: TestServer['events'] = [];
	const numWorkers = overrides.numWorkers ?? 2;
	const { httpHandler: _httpHandler, numWorkers: _numWorkers, ...serviceOverrides } = overrides;
	const media = createMediaService({
		namespace: io.of('/media'),
		secret: SECRET,
		isRoomOpen: async (roomId) => openRooms.has(roomId),
		onRoomEvent: (roomId, ev) => events.push({ roomId, ...ev }),
		...serviceOverrides,
		workerOptions: {
			workerBin: bin,
			numWorkers,
			rtcBasePort: await freePortBase(numWorkers),
			...overrides.workerOptions,
		},
	});
	return {
		url: `http://127.0.0.1:${address.port}`,
		media,
		openRooms,
		events,
		async close() {
			media.close();
			media.close(); // idempotent
			io.close();
			await new Promise<void>((resolve) => httpServer.close(() => resolve()));
		},
	};
}

export function token(claims: Partial<JoinClaims> & { roomId: string; participantId: string }, secret = SECRET): string {
	return signJoinToken(
		{
			role: 'clerk',
			displayName: claims.participantId,
			sessionRef: `assistSession:${claims.roomId}`,
			exp: Date.now() + 10 * 60_000,
			...claims,
		},
		secret,
	);
}

type Received = { [E in keyof ServerEvents]: Parameters<ServerEvents[E]>[0] };

export interface TestClient {
	socket: ClientSocket;
	request<N extends RequestName>(name: N, payload: RequestPayload<N> | Record<string, unknown>): Promise<Ack<Responses[N]>>;
	/** Sends `name` and returns `data`, failing the test on an error ack. */
	ok<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Responses[N]>;
	/** Resolves with the next (or an already received, not yet taken) `event`. */
	next<E extends keyof ServerEvents>(event: E, timeoutMs?: number): Promise<Received[E]>;
	received: { event: keyof ServerEvents; data: unknown }[];
	close(): void;
}

const EVENTS: (keyof ServerEvents)[] = [
	'peer.joined',
	'peer.left',
	'producer.new',
	'producer.closed',
	'consumer.closed',
	'room.rejoin',
	'room.closed',
];

/** Connects to /media; rejects with the connect_error's `data` when the handshake is refused. */
export async function connectClient(url: string, joinToken: string): Promise<TestClient> {
	const socket = connect(`${url}/media`, { auth: { token: joinToken }, transports: ['websocket'], reconnection: false, forceNew: true });
	const received: TestClient['received'] = [];
	const waiters: { event: keyof ServerEvents; resolve: (data: unknown) => void }[] = [];
	for (const event of EVENTS) {
		socket.on(event as string, (data: unknown) => {
			const i = waiters.findIndex((w) => w.event === event);
			if (i >= 0) {
				const [w] = waiters.splice(i, 1);
				w?.resolve(data);
			} else {
				received.push({ event, data });
			}
		});
	}
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', () => resolve());
		socket.once('connect_error', (err: Error & { data?: unknown }) => {
			socket.close();
			reject(Object.assign(new Error(`connect_error ${err.message}`), { data: err.data }));
		});
	});
	const client: TestClient = {
		socket,
		received,
		request(name, payload) {
			return socket.timeout(10_000).emitWithAck(name, payload);
		},
		async ok(name, payload) {
			const ack = await client.request(name, payload);
			if ('error' in ack) throw new Error(`${name} failed: ${ack.error.code} ${ack.error.message}`);
			return ack.data;
		},
		next(event, timeoutMs = 10_000) {
			const i = received.findIndex((r) => r.event === event);
			if (i >= 0) {
				const [r] = received.splice(i, 1);
				return Promise.resolve(r?.data as Received[typeof event]);
			}
			return new Promise((resolve, reject) => {
				const waiter = { event, resolve: (data: unknown) => resolve(data as Received[typeof event]) };
				waiters.push(waiter);
				setTimeout(() => {
					const j = waiters.indexOf(waiter);
					if (j >= 0) {
						waiters.splice(j, 1);
						reject(new Error(`timed out waiting for ${event}`));
					}
				}, timeoutMs);
			});
		},
		close() {
			socket.close();
		},
	};
	return client;
}

/** RTP parameters a browser might send (taken from mediasoup's own tests), for producing without media. */
export const audioRtpParameters = (ssrc: number): RequestPayload<'produce'>['rtpParameters'] => ({
	mid: 'AUDIO',
	codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
	headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 10 }],
	encodings: [{ ssrc }],
	rtcp: { cname: `audio-${ssrc}` },
});

export const videoRtpParameters = (ssrc: number, mid = 'VIDEO'): RequestPayload<'produce'>['rtpParameters'] => ({
	mid,
	codecs: [
		{
			mimeType: 'video/VP8',
			payloadType: 112,
			clockRate: 90000,
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
		},
		{ mimeType: 'video/rtx', payloadType: 113, clockRate: 90000, parameters: { apt: 112 } },
	],
	headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 10 }],
	encodings: [{ ssrc, rtx: { ssrc: ssrc + 1 } }],
	rtcp: { cname: `video-${ssrc}` },
});
