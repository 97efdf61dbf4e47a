/**
 * Browser side of video assistance: joins a `/media` room with a join token, sends camera + mic (camera with
 * simulcast), shares the screen, receives everyone else, and rides out `room.rejoin` (the room moved to
 * another worker, or our media path went silent) by joining again with the same token and re-sending the
 * same local tracks.
 *
 * ```ts
 * // `join` as the server hands it out: the media endpoint rides with the token.
 * const media = await connectMedia({
 *   url: join.media.url ?? location.origin, path: join.media.path, token: join.token,
 *   onRemoteTrack: ({ peerId, source, stream }) => attach(peerId, source, stream),
 *   onRemoteTrackEnded: ({ consumerId }) => detach(consumerId),
 *   onQuality: (q) => showSignalBars(q.level),
 * });
 * await media.shareScreen();
 * ```
 */
import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import { io, type Socket } from 'socket.io-client';
import type {
	Ack,
	HandshakeErrorData,
	MediaKind,
	MediaSource,
	PeerInfo,
	RequestName,
	RequestPayload,
	Responses,
	ServerEvents,
} from '../contracts.ts';
import type { InboundStats, MediaStats, OutboundStats } from './stats.ts';

export type { MediaKind, MediaSource, PeerInfo } from '../contracts.ts';
export type { InboundStats, MediaStats, OutboundStats } from './stats.ts';

export interface RemoteTrack {
	peerId: string;
	producerId: string;
	consumerId: string;
	kind: MediaKind;
	source: MediaSource;
	track: MediaStreamTrack;
	/** A stream holding just `track`, ready for `video.srcObject`. */
	stream: MediaStream;
}

export interface QualityReport {
	/** good: loss < 2 % and RTT < 300 ms; poor: loss > 10 % or RTT > 800 ms; fair otherwise. */
	level: 'good' | 'fair' | 'poor';
	/** Share of inbound packets lost since the previous report, in %. */
	lossPct: number;
	/** Round-trip time to the SFU, ms (undefined before the first measurement). */
	rttMs: number | undefined;
	sendKbps: number;
	recvKbps: number;
}

export type ConnectionState = 'connecting' | 'joined' | 'rejoining' | 'closed';

export interface ConnectMediaOptions {
	/** Origin of the media server (socket.io connects to `${url}/media`); no path, which socket.io would read as a namespace. */
	url: string;
	token: string;
	/** socket.io path of the media server, default '/socket.io'; a deployment may give media its own (join info `media.path`). */
	path?: string;
	/** The media node (join info `media.node`), named to `renewJoin` if its connection drops. */
	node?: string;
	/** Send the camera (default true); constraints to pick a device or size. */
	camera?: boolean | MediaTrackConstraints;
	/** Send the microphone (default true). */
	mic?: boolean | MediaTrackConstraints;
	/** Local tracks to send instead of opening devices (a kiosk with fixed devices, tests). */
	localStream?: MediaStream;
	onRemoteTrack?: (track: RemoteTrack) => void;
	onRemoteTrackEnded?: (track: Omit<RemoteTrack, 'track' | 'stream'>) => void;
	onPeerJoined?: (peer: PeerInfo) => void;
	onPeerLeft?: (peerId: string) => void;
	onQuality?: (report: QualityReport) => void;
	onStateChange?: (state: ConnectionState, detail?: string) => void;
	/** The room is over for us (`sessionEnded`, `replaced`, `shutdown`, or a token problem). */
	onClosed?: (reason: string) => void;
	/** Default 2000 ms. */
	qualityIntervalMs?: number;
	/**
	 * A fresh join answer from the API (`POST /assist-sessions/:id/token`, `GET /tickets/:id/join`), asked for
	 * when the connection to the media node drops: the node may have died, and the answer names a live one.
	 * `lostNode` is then the node whose connection dropped (its `node`), for the request's `?lostNode=`: the API
	 * offers it again only if no other node is live, so the answer names a live node at once rather than once
	 * the dead node's registry record expires. Absent when the node is fine (a token that ran out).
	 * Without renewJoin, socket.io reconnects to the same node.
	 */
	renewJoin?: (context: { lostNode?: string }) => Promise<MediaEndpointInfo>;
}

/** Where to connect and with what: a join answer's `media.url` (or the page origin), `media.path` and `token`. */
export interface MediaEndpointInfo {
	url: string;
	path?: string;
	token: string;
	/** `media.node` of the join answer, when the API names one. */
	node?: string;
}

export interface MediaConnection {
	readonly peerId: string;
	readonly roomId: string;
	/** What we send from camera and mic. */
	readonly localStream: MediaStream;
	readonly state: ConnectionState;
	peers(): PeerInfo[];
	/** Shares the screen (or `track`, e.g. a document camera). Resolves once it is being sent. */
	shareScreen(options?: { track?: MediaStreamTrack }): Promise<void>;
	stopScreenShare(): Promise<void>;
	setMicEnabled(enabled: boolean): Promise<void>;
	setCameraEnabled(enabled: boolean): Promise<void>;
	getStats(): Promise<MediaStats>;
	/** Leaves the room and stops local tracks. Idempotent. */
	close(): void;
}

export class MediaJoinError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
		this.name = 'MediaJoinError';
	}
}

type ClientSocket = Socket<{ [E in keyof ServerEvents]: ServerEvents[E] }>;

interface ConsumerAppData extends ms.AppData {
	peerId: string;
	source: MediaSource;
}
interface ProducerAppData extends ms.AppData {
	source: MediaSource;
}

// Rationale: three simulcast layers from a 640x480 camera (160x120, 320x240, 640x480); the bitrates are
// mediasoup-demo's, trimmed so the whole camera fits in ~1.2 Mbit/s.
const CAMERA_SIMULCAST: ms.RtpEncodingParameters[] = [
	{ scaleResolutionDownBy: 4, maxBitrate: 100_000, scalabilityMode: 'L1T3' },
	{ scaleResolutionDownBy: 2, maxBitrate: 300_000, scalabilityMode: 'L1T3' },
	{ scaleResolutionDownBy: 1, maxBitrate: 800_000, scalabilityMode: 'L1T3' },
];
// Rationale: text stays legible at 1080p and 5 fps with ~1.5 Mbit/s; motion does not matter on a form.
const SCREEN_ENCODING: ms.RtpEncodingParameters = { maxBitrate: 1_500_000, maxFramerate: 5 };
const SCREEN_CONSTRAINTS: MediaTrackConstraints = {
	width: { ideal: 1920, max: 1920 },
	height: { ideal: 1080, max: 1080 },
	frameRate: { ideal: 5, max: 10 },
};
const REQUEST_TIMEOUT_MS = 10_000;

function numberOf(value: unknown): number | undefined {
	return typeof value === 'number' ? value : undefined;
}

/**
 * Connects, joins the token's room and starts sending. Rejects with MediaJoinError when the handshake or the
 * first join is refused (TOKEN_EXPIRED, ROOM_CLOSED, …); later problems go to `onClosed` / `onStateChange`.
 */
export async function connectMedia(options: ConnectMediaOptions): Promise<MediaConnection> {
	const state: { value: ConnectionState } = { value: 'connecting' };
	const setState = (value: ConnectionState, detail?: string): void => {
		state.value = value;
		options.onStateChange?.(value, detail);
	};

	const localStream = options.localStream ?? (await openDevices(options));
	let endpoint: MediaEndpointInfo = { url: options.url, path: options.path ?? '/socket.io', token: options.token, ...(options.node ? { node: options.node } : {}) };
	let socket: ClientSocket = openSocket();

	async function request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Responses[N]> {
		const emitter = socket.timeout(REQUEST_TIMEOUT_MS) as unknown as {
			emitWithAck(event: string, payload: unknown): Promise<Ack<Responses[N]>>;
		};
		const ack = await emitter.emitWithAck(name, payload);
		if ('error' in ack) throw new MediaJoinError(ack.error.code, ack.error.message);
		return ack.data;
	}

	await connected(socket);

	let device: Device | undefined;
	let sendTransport: ms.Transport | undefined;
	let recvTransport: ms.Transport | undefined;
	const producers = new Map<MediaSource, ms.Producer<ProducerAppData>>();
	const consumers = new Map<string, ms.Consumer<ConsumerAppData>>();
	const peers = new Map<string, PeerInfo>();
	let screenTrack: MediaStreamTrack | undefined;
	let joinInfo: Responses['room:join'] | undefined;
	let closed = false;
	let qualityTimer: ReturnType<typeof setInterval> | undefined = undefined;
	let busy: Promise<unknown> = Promise.resolve();
	const serial = <T>(task: () => Promise<T>): Promise<T> => {
		const run = busy.then(task, task);
		busy = run.catch(() => undefined);
		return run;
	};

	function endConsumer(consumer: ms.Consumer<ConsumerAppData>): void {
		if (!consumers.delete(consumer.id)) return;
		consumer.close();
		options.onRemoteTrackEnded?.({
			peerId: consumer.appData.peerId,
			producerId: consumer.producerId,
			consumerId: consumer.id,
			kind: consumer.kind,
			source: consumer.appData.source,
		});
	}

	/** Drops all media objects (keeping local tracks) so a rejoin starts clean. */
	function teardown(): void {
		// Transports first: closing one closes its producers and consumers without renegotiating, which would
		// throw on a peer connection that is already dead.
		sendTransport?.close();
		recvTransport?.close();
		for (const consumer of [...consumers.values()]) endConsumer(consumer);
		producers.clear();
		sendTransport = undefined;
		recvTransport = undefined;
		peers.clear();
	}

	function createTransport(direction: 'send' | 'recv', info: Responses['transport:create'], iceServers: RTCIceServer[]): ms.Transport {
		if (!device) throw new Error('device not loaded');
		const params = {
			id: info.id,
			iceParameters: info.iceParameters,
			iceCandidates: info.iceCandidates as ms.IceCandidate[],
			dtlsParameters: info.dtlsParameters as ms.DtlsParameters,
			iceServers,
		};
		const transport = direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			request('transport:connect', {
				transportId: transport.id,
				dtlsParameters: dtlsParameters as RequestPayload<'transport:connect'>['dtlsParameters'],
			}).then(callback, errback);
		});
		if (direction === 'send') {
			transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
				request('produce', {
					transportId: transport.id,
					kind,
					rtpParameters: rtpParameters as RequestPayload<'produce'>['rtpParameters'],
					appData: { source: (appData as ProducerAppData).source },
				}).then(({ id }) => callback({ id }), errback);
			});
		}
		let restartTimer: ReturnType<typeof setTimeout> | undefined;
		transport.on('connectionstatechange', (connectionState) => {
			clearTimeout(restartTimer);
			// Rationale: 'disconnected' often heals by itself within a few seconds; 'failed' never does.
			const delay = connectionState === 'failed' ? 0 : connectionState === 'disconnected' ? 3_000 : undefined;
			if (delay === undefined) return;
			restartTimer = setTimeout(() => {
				if (transport.closed || closed) return;
				request('transport:restartIce', { transportId: transport.id })
					.then(({ iceParameters }) => transport.restartIce({ iceParameters }))
					.catch(() => undefined); // the server's watchdog sends room.rejoin if this does not heal
			}, delay);
		});
		return transport;
	}

	async function produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
		if (!sendTransport || !device) return;
		const videoCodec = device.sendRtpCapabilities.codecs?.find((c) => c.kind === 'video')?.mimeType.toLowerCase();
		const simulcast = source === 'camera' && (videoCodec === 'video/vp8' || videoCodec === 'video/h264');
		const producer = await sendTransport.produce<ProducerAppData>({
			track,
			stopTracks: false, // local tracks outlive a rejoin
			appData: { source },
			...(source === 'mic' ? { codecOptions: { opusFec: true, opusDtx: true } } : {}),
			...(source === 'camera' ? { codecOptions: { videoGoogleStartBitrate: 1000 }, ...(simulcast ? { encodings: CAMERA_SIMULCAST } : {}) } : {}),
			...(source === 'screen' ? { encodings: [SCREEN_ENCODING], codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
		});
		producers.set(source, producer);
	}

	const consuming = (producerId: string): boolean => [...consumers.values()].some((c) => c.producerId === producerId);

	async function consume(peerId: string, producerId: string): Promise<void> {
		// producer.new can arrive for a producer the join answer already listed.
		if (!recvTransport || !device || closed || consuming(producerId)) return;
		const info = await request('consume', {
			transportId: recvTransport.id,
			producerId,
			rtpCapabilities: device.recvRtpCapabilities as RequestPayload<'consume'>['rtpCapabilities'],
		});
		if (!recvTransport || consuming(producerId)) return;
		const consumer = await recvTransport.consume<ConsumerAppData>({
			id: info.id,
			producerId: info.producerId,
			kind: info.kind,
			rtpParameters: info.rtpParameters as ms.RtpParameters,
			appData: { peerId, source: info.appData.source },
		});
		consumers.set(consumer.id, consumer);
		consumer.on('transportclose', () => endConsumer(consumer));
		await request('consumer:resume', { consumerId: consumer.id });
		options.onRemoteTrack?.({
			peerId,
			producerId: info.producerId,
			consumerId: consumer.id,
			kind: info.kind,
			source: info.appData.source,
			track: consumer.track,
			stream: new MediaStream([consumer.track]),
		});
	}

	async function join(): Promise<void> {
		const info = await request('room:join', {});
		joinInfo = info;
		device = await Device.factory();
		await device.load({ routerRtpCapabilities: info.routerRtpCapabilities as ms.RtpCapabilities });
		const iceServers = info.iceServers as RTCIceServer[];
		recvTransport = createTransport('recv', await request('transport:create', { direction: 'recv' }), iceServers);
		const sending: [MediaSource, MediaStreamTrack][] = [];
		const mic = localStream.getAudioTracks()[0];
		const cam = localStream.getVideoTracks()[0];
		if (mic && device.canProduce('audio')) sending.push(['mic', mic]);
		if (cam && device.canProduce('video')) sending.push(['camera', cam]);
		if (screenTrack && screenTrack.readyState === 'live') sending.push(['screen', screenTrack]);
		if (sending.length > 0) {
			sendTransport = createTransport('send', await request('transport:create', { direction: 'send' }), iceServers);
			for (const [source, track] of sending) await produce(source, track);
		}
		for (const peer of info.peers) {
			peers.set(peer.peerId, peer);
			options.onPeerJoined?.(peer);
			for (const p of peer.producers) await consume(peer.peerId, p.producerId).catch(() => undefined);
		}
		setState('joined');
	}

	async function rejoin(reason: string): Promise<void> {
		setState('rejoining', reason);
		teardown();
		// Rationale: a moved room is ready at once; backing off to 8 s rides out a server restart.
		for (let attempt = 0; !closed; attempt++) {
			try {
				await join();
				return;
			} catch (error) {
				const code = error instanceof MediaJoinError ? error.code : undefined;
				// A call outlives its join token (minutes): ask the API for a fresh one rather than end the call.
				if (code === 'TOKEN_EXPIRED' && options.renewJoin) return failover(reason);
				if (code === 'TOKEN_EXPIRED' || code === 'TOKEN_INVALID' || code === 'ROOM_CLOSED') {
					finish(code);
					return;
				}
				teardown();
				await new Promise((r) => setTimeout(r, Math.min(8_000, 500 * 2 ** attempt)));
			}
		}
	}

	function openSocket(): ClientSocket {
		const s: ClientSocket = io(`${endpoint.url}/media`, {
			path: endpoint.path ?? '/socket.io',
			auth: { token: endpoint.token },
			transports: ['websocket'],
			// With renewJoin the client itself finds a live node; socket.io would only retry the dead one.
			reconnection: !options.renewJoin,
			forceNew: true,
		});
		s.on('peer.joined', ({ peer }) => {
			peers.set(peer.peerId, peer);
			options.onPeerJoined?.(peer);
		});
		s.on('peer.left', ({ peerId }) => {
			peers.delete(peerId);
			options.onPeerLeft?.(peerId);
		});
		s.on('producer.new', ({ peerId, producerId }) => {
			void serial(() => consume(peerId, producerId).catch(() => undefined));
		});
		s.on('consumer.closed', ({ consumerId }) => {
			const consumer = consumers.get(consumerId);
			if (consumer) endConsumer(consumer);
		});
		s.on('producer.closed', ({ producerId }) => {
			for (const consumer of [...consumers.values()]) if (consumer.producerId === producerId) endConsumer(consumer);
		});
		s.on('room.rejoin', ({ reason }) => {
			void serial(() => rejoin(reason));
		});
		s.on('room.closed', ({ reason }) => finish(reason));
		s.on('disconnect', (reason) => {
			// The server ended this connection on purpose (e.g. replaced): socket.io will not reconnect.
			if (reason === 'io server disconnect') finish('disconnected');
			else if (closed) return;
			else if (options.renewJoin) void serial(() => failover(reason, endpoint.node));
			else setState('rejoining', reason);
		});
		s.io.on('reconnect', () => {
			// The server dropped our peer when the socket went away: join again with the same token.
			void serial(() => rejoin('reconnected'));
		});
		return s;
	}

	/**
	 * The media node went away (`lostNode`, when its connection dropped): ask for a fresh join (maybe naming
	 * another node) until one works. Every attempt names the node first lost, not a live one that failed once.
	 */
	async function failover(reason: string, lostNode?: string): Promise<void> {
		setState('rejoining', reason);
		teardown();
		for (let attempt = 0; !closed && options.renewJoin; attempt++) {
			try {
				endpoint = await options.renewJoin(lostNode ? { lostNode } : {});
				const old = socket;
				old.removeAllListeners();
				old.close();
				socket = openSocket();
				await connected(socket);
				await join();
				return;
			} catch (error) {
				const code = error instanceof MediaJoinError ? error.code : undefined;
				if (code === 'ROOM_CLOSED') {
					finish(code);
					return;
				}
				teardown();
				// Rationale: the first answer already skips the lost node; a retry is for a node that failed as well,
				// or one the API could not skip (the only live node, restarting): a dead node leaves the registry
				// within 3 s, and 250 ms doubling to 1 s finds its successor within a second of that.
				await new Promise((r) => setTimeout(r, Math.min(1_000, 250 * 2 ** attempt)));
			}
		}
	}

	function finish(reason: string): void {
		if (closed) return;
		closed = true;
		clearInterval(qualityTimer);
		teardown();
		socket.close();
		for (const track of localStream.getTracks()) track.stop();
		screenTrack?.stop();
		setState('closed', reason);
		options.onClosed?.(reason);
	}

	try {
		await serial(join);
	} catch (error) {
		finish(error instanceof MediaJoinError ? error.code : 'joinFailed');
		throw error;
	}

	let last: { at: number; lost: number; received: number; sent: number; recvBytes: number } | undefined;
	qualityTimer = setInterval(() => {
		if (!options.onQuality || state.value !== 'joined') return;
		void getStats().catch(() => undefined).then((s) => {
			if (!s) return;
			const now = performance.now();
			const lost = s.inbound.reduce((n, i) => n + i.packetsLost, 0);
			const received = s.inbound.reduce((n, i) => n + i.packetsReceived, 0);
			const sent = s.outbound.reduce((n, o) => n + o.bytesSent, 0);
			const recvBytes = s.inbound.reduce((n, i) => n + i.bytesReceived, 0);
			if (last) {
				const dLost = Math.max(0, lost - last.lost);
				const dReceived = Math.max(0, received - last.received);
				const lossPct = dLost + dReceived > 0 ? (100 * dLost) / (dLost + dReceived) : 0;
				const seconds = Math.max(0.001, (now - last.at) / 1000);
				const rtt = s.rttMs;
				const level = lossPct > 10 || (rtt ?? 0) > 800 ? 'poor' : lossPct < 2 && (rtt ?? 0) < 300 ? 'good' : 'fair';
				options.onQuality?.({
					level,
					lossPct,
					rttMs: rtt,
					sendKbps: ((sent - last.sent) * 8) / 1000 / seconds,
					recvKbps: ((recvBytes - last.recvBytes) * 8) / 1000 / seconds,
				});
			}
			last = { at: now, lost, received, sent, recvBytes };
		});
	}, options.qualityIntervalMs ?? 2000);

	async function getStats(): Promise<MediaStats> {
		const outbound: OutboundStats[] = [];
		const inbound: InboundStats[] = [];
		let rttMs: number | undefined;
		let availableOutgoingBitrate: number | undefined;
		const readPair = (report: RTCStatsReport): void => {
			report.forEach((entry: Record<string, unknown>) => {
				if (entry.type === 'candidate-pair' && entry.nominated === true && entry.state === 'succeeded') {
					const rtt = numberOf(entry.currentRoundTripTime);
					if (rtt !== undefined) rttMs = rtt * 1000;
					availableOutgoingBitrate = numberOf(entry.availableOutgoingBitrate) ?? availableOutgoingBitrate;
				}
			});
		};
		for (const [source, producer] of producers) {
			const report = await producer.getStats();
			readPair(report);
			const layers: OutboundStats['layers'] = [];
			let framesEncoded: number | undefined;
			report.forEach((entry: Record<string, unknown>) => {
				if (entry.type !== 'outbound-rtp') return;
				const frames = numberOf(entry.framesEncoded);
				if (frames !== undefined) framesEncoded = (framesEncoded ?? 0) + frames;
				layers.push({
					...(typeof entry.rid === 'string' ? { rid: entry.rid } : {}),
					...(numberOf(entry.frameWidth) !== undefined ? { frameWidth: numberOf(entry.frameWidth) } : {}),
					...(numberOf(entry.frameHeight) !== undefined ? { frameHeight: numberOf(entry.frameHeight) } : {}),
					...(numberOf(entry.framesPerSecond) !== undefined ? { framesPerSecond: numberOf(entry.framesPerSecond) } : {}),
					bytesSent: numberOf(entry.bytesSent) ?? 0,
				});
			});
			layers.sort((a, b) => (a.frameWidth ?? 0) - (b.frameWidth ?? 0));
			outbound.push({
				source,
				kind: producer.kind,
				producerId: producer.id,
				bytesSent: layers.reduce((n, l) => n + l.bytesSent, 0),
				packetsSent: 0,
				...(framesEncoded !== undefined ? { framesEncoded } : {}),
				layers,
			});
			let packets = 0;
			report.forEach((entry: Record<string, unknown>) => {
				if (entry.type === 'outbound-rtp') packets += numberOf(entry.packetsSent) ?? 0;
			});
			const last = outbound[outbound.length - 1];
			if (last) last.packetsSent = packets;
		}
		for (const consumer of consumers.values()) {
			const report = await consumer.getStats();
			if (rttMs === undefined) readPair(report);
			report.forEach((entry: Record<string, unknown>) => {
				// mediasoup-client's bandwidth probator has mid 'probator': not a real stream.
				if (entry.type !== 'inbound-rtp' || entry.mid === 'probator') return;
				const framesDecoded = numberOf(entry.framesDecoded);
				const frameWidth = numberOf(entry.frameWidth);
				const frameHeight = numberOf(entry.frameHeight);
				const framesPerSecond = numberOf(entry.framesPerSecond);
				const jitter = numberOf(entry.jitter);
				inbound.push({
					peerId: consumer.appData.peerId,
					source: consumer.appData.source,
					kind: consumer.kind,
					consumerId: consumer.id,
					producerId: consumer.producerId,
					bytesReceived: numberOf(entry.bytesReceived) ?? 0,
					packetsReceived: numberOf(entry.packetsReceived) ?? 0,
					packetsLost: numberOf(entry.packetsLost) ?? 0,
					...(jitter !== undefined ? { jitter } : {}),
					...(framesDecoded !== undefined ? { framesDecoded } : {}),
					...(frameWidth !== undefined ? { frameWidth } : {}),
					...(frameHeight !== undefined ? { frameHeight } : {}),
					...(framesPerSecond !== undefined ? { framesPerSecond } : {}),
				});
			});
		}
		return { outbound, inbound, rttMs, availableOutgoingBitrate };
	}

	const connection: MediaConnection = {
		get peerId() {
			return joinInfo?.peerId ?? '';
		},
		get roomId() {
			return joinInfo?.roomId ?? '';
		},
		localStream,
		get state() {
			return state.value;
		},
		peers: () => [...peers.values()],
		shareScreen: (shareOptions) =>
			serial(async () => {
				if (screenTrack?.readyState === 'live') return;
				const track =
					shareOptions?.track ??
					(await navigator.mediaDevices.getDisplayMedia({ video: SCREEN_CONSTRAINTS, audio: false })).getVideoTracks()[0];
				if (!track) throw new Error('no screen track');
				// Text stays sharp: the encoder keeps resolution and drops frames under pressure.
				track.contentHint = 'text';
				screenTrack = track;
				// The browser's own "stop sharing" button ends the track.
				track.addEventListener('ended', () => void connection.stopScreenShare());
				if (!sendTransport && joinInfo) {
					sendTransport = createTransport('send', await request('transport:create', { direction: 'send' }), joinInfo.iceServers as RTCIceServer[]);
				}
				await produce('screen', track);
			}),
		stopScreenShare: () =>
			serial(async () => {
				const producer = producers.get('screen');
				producers.delete('screen');
				screenTrack?.stop();
				screenTrack = undefined;
				if (producer && !producer.closed) {
					producer.close();
					await request('producer:close', { producerId: producer.id }).catch(() => undefined);
				}
			}),
		setMicEnabled: async (enabled) => {
			const track = localStream.getAudioTracks()[0];
			if (track) track.enabled = enabled;
		},
		setCameraEnabled: async (enabled) => {
			const track = localStream.getVideoTracks()[0];
			if (track) track.enabled = enabled;
		},
		getStats,
		// Disconnecting is leaving: the server drops the peer when its socket goes.
		close: () => finish('left'),
	};
	return connection;
}

function connected(s: Socket): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		s.once('connect', () => resolve());
		s.once('connect_error', (err: Error & { data?: HandshakeErrorData }) => {
			s.close();
			reject(new MediaJoinError(err.data?.code ?? 'UNAVAILABLE', err.data?.message ?? err.message));
		});
	});
}

async function openDevices(options: ConnectMediaOptions): Promise<MediaStream> {
	const audio = options.mic ?? true;
	const video =
		options.camera === false
			? false
			: typeof options.camera === 'object'
				? options.camera
				: // Rationale: 640x480 at 24 fps is plenty for a face and what the SFU benchmark assumes.
					{ width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };
	if (!audio && !video) return new MediaStream();
	return navigator.mediaDevices.getUserMedia({ audio, video });
}
