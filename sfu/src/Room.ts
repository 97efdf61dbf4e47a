import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { IceServer, MediaErrorCode, MediaKind, MediaSource, PeerInfo, RequestPayload, Responses } from './contracts.ts';
import { MEDIA_ERRORS } from './contracts.ts';
import type { JoinClaims } from './join-token.ts';
import { Peer, type ConsumerAppData, type Notify, type ProducerAppData, type TransportAppData } from './Peer.ts';
import type { WorkerPool } from './WorkerPool.ts';

export interface RoomOptions {
	/**
	 * Peers placed on one router before the room opens another router on another worker and pipes producers
	 * between them. Default 16. Rationale: a full mesh of N peers with camera+mic makes 2·N·(N−1) consumers;
	 * at 16 that is 480, about one worker's worth (mediasoup's guidance: ~500 consumers per worker). Only
	 * workers the room has no router on take a new one: on a one-worker node the room stays on one router.
	 */
	maxPeersPerRouter?: number;
	/** How often transports' byte counters are read. Default 5 s; 0 disables the watchdog. */
	watchdogIntervalMs?: number;
	/**
	 * A connected transport whose received-bytes counter has not moved for this long is dead: the peer is told
	 * to rejoin. Default 30 s. Rationale: mediasoup 3.12 has no ICE consent freshness of its own, but browsers
	 * send consent STUN checks every ~5 s and RTCP every second or so, so 30 s of silence is ~6 missed checks.
	 */
	mediaTimeoutMs?: number;
	iceServers?: IceServer[];
}

export type RoomActivity =
	| { type: 'joined'; participantId: string }
	| { type: 'left'; participantId: string }
	| { type: 'shareStarted'; participantId: string }
	| { type: 'shareStopped'; participantId: string };

/**
 * What a room spanning several media nodes tells the other nodes (sfu/src/Cascade.ts): its own participants and
 * their producers, never the ones it learnt from elsewhere.
 */
export type SpanEvent =
	| { type: 'peerJoined'; peer: PeerInfo }
	| { type: 'peerLeft'; peerId: string }
	| { type: 'producer'; peerId: string; producer: types.Producer<ProducerAppData> }
	| { type: 'producerClosed'; producerId: string };

/** A participant of this room whose media node is another one. */
interface RemotePeer {
	node: string;
	info: Omit<PeerInfo, 'producers'>;
}

interface ProducerEntry {
	peerId: string;
	/** The router the producer lives on: its peer's, or the home router for a producer piped in from another node. */
	router: types.Router;
	producer: types.Producer<ProducerAppData>;
	/** The local peer sending it; undefined for a remote participant's producer. */
	local: Peer | undefined;
}

type RoomEvents = {
	span: [SpanEvent];
	/** A peer's media path went silent; the owner of the room decides what to tell it. */
	mediatimeout: [Peer];
	activity: [RoomActivity];
	close: [string];
};

export type RoomResult<T> = { ok: true; value: T } | { ok: false; error: { code: MediaErrorCode; message: string } };

const ok = <T>(value: T): RoomResult<T> => ({ ok: true, value });
const fail = (code: MediaErrorCode, message?: string): { ok: false; error: { code: MediaErrorCode; message: string } } => ({
	ok: false,
	error: { code, message: message ?? MEDIA_ERRORS[code] },
});

/**
 * Rationale: consumer priority weights how a transport's outgoing bitrate is shared between its simulcast/SVC
 * consumers (mediasoup gives higher priorities their layer upgrades first). A shared screen carries the
 * paperwork being explained, so it outranks faces.
 */
const CONSUMER_PRIORITY: Record<MediaSource, number> = { screen: 3, document: 2, camera: 1, mic: 1 };
// Rationale: one send and one recv transport per peer, plus headroom for a client that re-creates one.
const MAX_TRANSPORTS_PER_PEER = 4;
// Rationale: 720p simulcast camera (~1.7 Mbit/s for all layers) plus a 1.5 Mbit/s screen share.
const MAX_INCOMING_BITRATE = 3_500_000;

const SOURCE_KIND: Record<MediaSource, MediaKind> = { mic: 'audio', camera: 'video', screen: 'video', document: 'video' };

interface RoomRouter {
	router: types.Router;
	workerIndex: number;
}

interface WatchState {
	connected: boolean;
	bytes: number;
	changedAt: number;
}

/**
 * A call: one router (more when it outgrows one worker), its peers, their producers and consumers. Knows nothing
 * of sockets: peers are told things through their `notify`.
 */
export class Room extends EventEmitter<RoomEvents> {
	readonly peers = new Map<string, Peer>();
	readonly #routers: RoomRouter[] = [];
	readonly #producers = new Map<string, ProducerEntry>();
	readonly #remotePeers = new Map<string, RemotePeer>();
	/** Producers already piped to another router, by `${producerId}>${routerId}`. */
	readonly #pipes = new Map<string, Promise<void>>();
	readonly #watch = new WeakMap<types.WebRtcTransport, WatchState>();
	readonly #options: Required<Omit<RoomOptions, 'iceServers'>> & { iceServers: IceServer[] };
	#queue: Promise<unknown> = Promise.resolve();
	#watchdog: NodeJS.Timeout | undefined;
	#closed = false;

	private constructor(
		readonly id: string,
		readonly pool: WorkerPool,
		first: RoomRouter,
		options: RoomOptions,
	) {
		super();
		this.#routers.push(first);
		this.#options = {
			maxPeersPerRouter: options.maxPeersPerRouter ?? 16,
			watchdogIntervalMs: options.watchdogIntervalMs ?? 5_000,
			mediaTimeoutMs: options.mediaTimeoutMs ?? 30_000,
			iceServers: options.iceServers ?? [],
		};
		this.#watchRouter(first.router);
		if (this.#options.watchdogIntervalMs > 0) {
			this.#watchdog = setInterval(() => void this.#checkTransports(), this.#options.watchdogIntervalMs);
			this.#watchdog.unref();
		}
	}

	/** Creates a room with its first router on the least loaded worker (not one of `avoidWorkers` if possible). */
	static async create(id: string, pool: WorkerPool, options: RoomOptions = {}, avoidWorkers: number[] = []): Promise<Room> {
		const first = await pool.createRouter(id, { avoid: avoidWorkers });
		return new Room(id, pool, first, options);
	}

	get closed(): boolean {
		return this.#closed;
	}

	/** Worker indexes this room has routers on. */
	get workerIndexes(): number[] {
		return this.#routers.map((r) => r.workerIndex);
	}

	get routers(): types.Router[] {
		return this.#routers.map((r) => r.router);
	}

	get consumerCount(): number {
		let n = 0;
		for (const peer of this.peers.values()) n += peer.consumers.size;
		return n;
	}

	/**
	 * Adds a participant. A participant already in the room (a reconnect that beat the old connection's
	 * disconnect) is replaced.
	 */
	async join(claims: JoinClaims, notify: Notify): Promise<RoomResult<{ peer: Peer; response: Responses['room:join'] }>> {
		return this.#serial(async () => {
			if (this.#closed) return fail('ROOM_CLOSED');
			const existing = this.peers.get(claims.participantId);
			if (existing) this.#removePeer(existing);
			// The participant moved here from another node (theirs died): what that node said about them is stale.
			this.#removeRemotePeer(claims.participantId);
			const { router } = await this.#routerForNewPeer();
			if (this.#closed) return fail('ROOM_CLOSED');
			const peer = new Peer(claims.participantId, claims.role, claims.displayName, router, notify);
			const others = [...this.peers.values()];
			this.peers.set(peer.id, peer);
			for (const other of others) other.notify('peer.joined', { peer: peer.info() });
			this.emit('activity', { type: 'joined', participantId: peer.id });
			this.emit('span', { type: 'peerJoined', peer: peer.info() });
			return ok({
				peer,
				response: {
					roomId: this.id,
					peerId: peer.id,
					role: peer.role,
					routerRtpCapabilities: router.rtpCapabilities as Responses['room:join']['routerRtpCapabilities'],
					iceServers: this.#options.iceServers,
					peers: [...others.map((o) => o.info()), ...this.#remoteInfos()],
				},
			});
		});
	}

	/** Removes a participant, telling the others. */
	leave(peer: Peer): void {
		if (this.peers.get(peer.id) !== peer) return;
		this.#removePeer(peer);
	}

	async createTransport(
		peer: Peer,
		{ direction }: RequestPayload<'transport:create'>,
	): Promise<RoomResult<Responses['transport:create']>> {
		if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) return fail('LIMIT_REACHED', 'too many transports');
		const webRtcServer = this.pool.webRtcServerFor(peer.router);
		if (!webRtcServer) return fail('UNAVAILABLE');
		const transport = await peer.router.createWebRtcTransport<TransportAppData>({
			webRtcServer,
			enableUdp: true,
			enableTcp: true,
			preferUdp: true,
			// Rationale: starts a camera at its mid simulcast layer instead of ramping up from 600 kbit/s.
			initialAvailableOutgoingBitrate: 1_000_000,
			appData: { peerId: peer.id, direction },
		});
		if (peer.closed || this.#closed) {
			transport.close();
			return fail('NOT_JOINED');
		}
		peer.transports.set(transport.id, transport);
		transport.observer.once('close', () => peer.transports.delete(transport.id));
		this.#watch.set(transport, { connected: false, bytes: 0, changedAt: Date.now() });
		transport.on('icestatechange', (state) => {
			const w = this.#watch.get(transport);
			if (w && (state === 'connected' || state === 'completed') && !w.connected) {
				w.connected = true;
				w.changedAt = Date.now();
			}
		});
		if (direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
		return ok({
			id: transport.id,
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates.map((c) => ({
				foundation: c.foundation,
				priority: c.priority,
				ip: c.ip,
				protocol: c.protocol,
				port: c.port,
				type: c.type,
				...(c.tcpType ? { tcpType: c.tcpType } : {}),
			})),
			dtlsParameters: transport.dtlsParameters as Responses['transport:create']['dtlsParameters'],
		});
	}

	async connectTransport(
		peer: Peer,
		{ transportId, dtlsParameters }: RequestPayload<'transport:connect'>,
	): Promise<RoomResult<Responses['transport:connect']>> {
		const transport = peer.transports.get(transportId);
		if (!transport) return fail('NOT_FOUND', 'no such transport');
		try {
			await transport.connect({ dtlsParameters });
		} catch (error) {
			return fail('MEDIA_REJECTED', errorMessage(error));
		}
		return ok({});
	}

	async restartIce(peer: Peer, { transportId }: RequestPayload<'transport:restartIce'>): Promise<RoomResult<Responses['transport:restartIce']>> {
		const transport = peer.transports.get(transportId);
		if (!transport) return fail('NOT_FOUND', 'no such transport');
		const iceParameters = await transport.restartIce();
		return ok({ iceParameters });
	}

	async produce(peer: Peer, payload: RequestPayload<'produce'>): Promise<RoomResult<Responses['produce']>> {
		const { transportId, kind, rtpParameters } = payload;
		const source = payload.appData.source;
		const transport = peer.transports.get(transportId);
		if (!transport || transport.appData.direction !== 'send') return fail('NOT_FOUND', 'no such send transport');
		if (SOURCE_KIND[source] !== kind) return fail('VALIDATION_FAILED', `source '${source}' must be ${SOURCE_KIND[source]}`);
		for (const p of peer.producers.values()) {
			if (p.appData.source === source) return fail('LIMIT_REACHED', `already producing '${source}'`);
		}
		let producer: types.Producer<ProducerAppData>;
		try {
			producer = await transport.produce<ProducerAppData>({ kind, rtpParameters, appData: { peerId: peer.id, source } });
		} catch (error) {
			return fail('MEDIA_REJECTED', errorMessage(error));
		}
		if (peer.closed || this.#closed) {
			producer.close();
			return fail('NOT_JOINED');
		}
		peer.producers.set(producer.id, producer);
		this.#producers.set(producer.id, { peerId: peer.id, router: peer.router, producer, local: peer });
		const onGone = (): void => this.#producerGone(peer, producer);
		producer.on('transportclose', onGone);
		producer.observer.once('close', onGone);
		for (const other of this.peers.values()) {
			if (other !== peer) other.notify('producer.new', { peerId: peer.id, producerId: producer.id, kind, source });
		}
		if (source === 'screen') this.emit('activity', { type: 'shareStarted', participantId: peer.id });
		this.emit('span', { type: 'producer', peerId: peer.id, producer });
		return ok({ id: producer.id });
	}

	closeProducer(peer: Peer, { producerId }: RequestPayload<'producer:close'>): RoomResult<Responses['producer:close']> {
		const producer = peer.producers.get(producerId);
		if (!producer) return fail('NOT_FOUND', 'no such producer');
		producer.close();
		return ok({});
	}

	async consume(peer: Peer, payload: RequestPayload<'consume'>): Promise<RoomResult<Responses['consume']>> {
		const { transportId, producerId, rtpCapabilities } = payload;
		const transport = peer.transports.get(transportId);
		if (!transport || transport.appData.direction !== 'recv') return fail('NOT_FOUND', 'no such recv transport');
		const entry = this.#producers.get(producerId);
		if (!entry || entry.local === peer || entry.producer.closed) return fail('NOT_FOUND', 'no such producer');
		const { producer } = entry;
		await this.#pipeTo(entry.router, peer.router, producerId);
		const caps = rtpCapabilities as types.RtpCapabilities;
		if (!peer.router.canConsume({ producerId, rtpCapabilities: caps })) return fail('CANNOT_CONSUME');
		let consumer: types.Consumer<ConsumerAppData>;
		try {
			consumer = await transport.consume<ConsumerAppData>({
				producerId,
				rtpCapabilities: caps,
				// Created paused (mediasoup's advice): the client resumes once its side is ready, which also
				// makes the server ask for a key frame at the right moment.
				paused: true,
				appData: { peerId: entry.peerId, source: producer.appData.source },
			});
		} catch (error) {
			return fail('CANNOT_CONSUME', errorMessage(error));
		}
		if (peer.closed || this.#closed) {
			consumer.close();
			return fail('NOT_JOINED');
		}
		peer.consumers.set(consumer.id, consumer);
		consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
		consumer.on('producerclose', () => {
			peer.consumers.delete(consumer.id);
			if (!this.#closed && !peer.closed) peer.notify('consumer.closed', { consumerId: consumer.id });
		});
		const priority = CONSUMER_PRIORITY[producer.appData.source];
		if (priority !== 1) await consumer.setPriority(priority);
		return ok({
			id: consumer.id,
			producerId,
			kind: consumer.kind as MediaKind,
			rtpParameters: consumer.rtpParameters as Responses['consume']['rtpParameters'],
			appData: { peerId: entry.peerId, source: producer.appData.source },
		});
	}

	async resumeConsumer(peer: Peer, { consumerId }: RequestPayload<'consumer:resume'>): Promise<RoomResult<Responses['consumer:resume']>> {
		const consumer = peer.consumers.get(consumerId);
		if (!consumer) return fail('NOT_FOUND', 'no such consumer');
		await consumer.resume();
		return ok({});
	}

	/** The router that carries this room's links to other media nodes: its first. */
	get homeRouter(): types.Router | undefined {
		return this.#routers[0]?.router;
	}

	/**
	 * Makes `producerId` (a local participant's, on whichever router of this room its peer is on) consumable on
	 * the home router, where the links to other media nodes live: pipes it there once, as a consumer on the home
	 * router would. False when the producer or the home router is gone.
	 */
	async pipeToHome(producerId: string): Promise<boolean> {
		const entry = this.#producers.get(producerId);
		const home = this.homeRouter;
		if (!entry || entry.producer.closed || !home || this.#closed) return false;
		await this.#pipeTo(entry.router, home, producerId);
		return !entry.producer.closed && !home.closed;
	}

	/** This node's own participants' producers, for a link to another node that has just come up. */
	localProducers(): { peerId: string; producer: types.Producer<ProducerAppData> }[] {
		return [...this.#producers.values()].filter((e) => e.local !== undefined && !e.producer.closed).map((e) => ({ peerId: e.peerId, producer: e.producer }));
	}

	/** Producers of participants on other media nodes, piped in. */
	remoteProducerIds(): string[] {
		return [...this.#producers.values()].filter((e) => !e.local && !e.producer.closed).map((e) => e.producer.id);
	}

	/** Participants joined on other media nodes, by id. */
	get remotePeerIds(): string[] {
		return [...this.#remotePeers.keys()];
	}

	/** A participant joined this room on media node `node`. One that was elsewhere before has moved. */
	addRemotePeer(node: string, info: Omit<PeerInfo, 'producers'>): void {
		if (this.#closed || this.peers.has(info.peerId)) return;
		this.#removeRemotePeer(info.peerId);
		this.#remotePeers.set(info.peerId, { node, info: { peerId: info.peerId, role: info.role, displayName: info.displayName } });
		for (const peer of this.peers.values()) peer.notify('peer.joined', { peer: { ...info, producers: [] } });
	}

	removeRemotePeer(node: string, peerId: string): void {
		if (this.#remotePeers.get(peerId)?.node === node) this.#removeRemotePeer(peerId);
	}

	/** A remote participant's producer, piped in from its node onto `router` (the home router). */
	addRemoteProducer(node: string, peerId: string, router: types.Router, producer: types.Producer<ProducerAppData>): void {
		if (this.#closed || this.#remotePeers.get(peerId)?.node !== node || this.#producers.has(producer.id)) {
			producer.close();
			return;
		}
		this.#producers.set(producer.id, { peerId, router, producer, local: undefined });
		const onGone = (): void => this.#remoteProducerGone(producer);
		producer.on('transportclose', onGone);
		producer.observer.once('close', onGone);
		const { source } = producer.appData;
		for (const peer of this.peers.values()) peer.notify('producer.new', { peerId, producerId: producer.id, kind: producer.kind as MediaKind, source });
	}

	closeRemoteProducer(node: string, producerId: string): void {
		const entry = this.#producers.get(producerId);
		if (entry && !entry.local && this.#remotePeers.get(entry.peerId)?.node === node) entry.producer.close();
	}

	/** Forgets every participant of media node `node` (it died, or the room ended there). */
	dropNode(node: string): void {
		for (const [peerId, remote] of [...this.#remotePeers]) if (remote.node === node) this.#removeRemotePeer(peerId);
	}

	/**
	 * Closes the room and all its routers. Peers are NOT notified: the owner tells them `room.closed` or
	 * `room.rejoin` as the reason requires. Idempotent.
	 */
	close(reason: string): void {
		if (this.#closed) return;
		this.#closed = true;
		clearInterval(this.#watchdog);
		for (const peer of this.peers.values()) peer.close();
		for (const { router } of this.#routers) router.close();
		this.emit('close', reason);
		this.removeAllListeners();
	}

	#serial<T>(task: () => Promise<T>): Promise<T> {
		const run = this.#queue.then(task, task);
		this.#queue = run.catch(() => undefined);
		return run;
	}

	async #routerForNewPeer(): Promise<RoomRouter> {
		const load = new Map<types.Router, number>(this.#routers.map((r) => [r.router, 0]));
		for (const peer of this.peers.values()) load.set(peer.router, (load.get(peer.router) ?? 0) + 1);
		const roomy = this.#routers
			.filter((r) => (load.get(r.router) ?? 0) < this.#options.maxPeersPerRouter)
			.sort((a, b) => (load.get(a.router) ?? 0) - (load.get(b.router) ?? 0))[0];
		if (roomy) return roomy;
		// A second router only on a worker this room has none on: mediasoup 3.12's pipeToRouter keeps the
		// producer's id, which one worker cannot hold twice, so two routers of a room on one worker could never
		// share producers. With no such worker (one worker, or the others dead), the least loaded router takes
		// the peer over the limit.
		const used = this.workerIndexes;
		if (!this.pool.stats().some((w) => w.alive && !used.includes(w.index))) {
			const least = [...this.#routers].sort((a, b) => (load.get(a.router) ?? 0) - (load.get(b.router) ?? 0))[0];
			if (least) return least;
		}
		const added = await this.pool.createRouter(this.id, { avoid: used });
		if (this.#closed) {
			added.router.close();
			return added;
		}
		this.#routers.push(added);
		this.#watchRouter(added.router);
		return added;
	}

	#watchRouter(router: types.Router): void {
		// A router closes on its own when its worker dies; the owner hears that through WorkerPool.
		router.observer.once('close', () => {
			const i = this.#routers.findIndex((r) => r.router === router);
			if (i >= 0) this.#routers.splice(i, 1);
		});
	}

	async #pipeTo(from: types.Router, to: types.Router, producerId: string): Promise<void> {
		if (from === to) return;
		const key = `${producerId}>${to.id}`;
		let piping = this.#pipes.get(key);
		if (!piping) {
			// Pipes run over loopback: every worker of this pool is on this machine.
			piping = from.pipeToRouter({ producerId, router: to, listenIp: '127.0.0.1' }).then(() => undefined);
			this.#pipes.set(key, piping);
			piping.catch(() => this.#pipes.delete(key));
		}
		await piping;
	}

	#producerGone(peer: Peer, producer: types.Producer<ProducerAppData>): void {
		if (this.#producers.get(producer.id)?.producer !== producer) return;
		this.#producers.delete(producer.id);
		peer.producers.delete(producer.id);
		for (const key of [...this.#pipes.keys()]) if (key.startsWith(`${producer.id}>`)) this.#pipes.delete(key);
		// A closed router means its worker died: the whole room is about to be rebuilt, so say nothing.
		if (this.#closed || peer.router.closed) return;
		for (const other of this.peers.values()) {
			if (other !== peer) other.notify('producer.closed', { producerId: producer.id });
		}
		if (producer.appData.source === 'screen') this.emit('activity', { type: 'shareStopped', participantId: peer.id });
		this.emit('span', { type: 'producerClosed', producerId: producer.id });
	}

	#removeRemotePeer(peerId: string): void {
		if (!this.#remotePeers.delete(peerId)) return;
		for (const entry of [...this.#producers.values()]) if (!entry.local && entry.peerId === peerId) entry.producer.close();
		if (this.#closed) return;
		for (const peer of this.peers.values()) peer.notify('peer.left', { peerId });
	}

	#remoteProducerGone(producer: types.Producer<ProducerAppData>): void {
		if (this.#producers.get(producer.id)?.producer !== producer) return;
		this.#producers.delete(producer.id);
		for (const key of [...this.#pipes.keys()]) if (key.startsWith(`${producer.id}>`)) this.#pipes.delete(key);
		if (this.#closed) return;
		for (const peer of this.peers.values()) peer.notify('producer.closed', { producerId: producer.id });
	}

	#remoteInfos(): PeerInfo[] {
		return [...this.#remotePeers.values()].map(({ info }) => ({
			...info,
			producers: [...this.#producers.values()]
				.filter((e) => !e.local && e.peerId === info.peerId && !e.producer.closed)
				.map((e) => ({ producerId: e.producer.id, kind: e.producer.kind as MediaKind, source: e.producer.appData.source })),
		}));
	}

	#removePeer(peer: Peer): void {
		// Producers first, so the others hear producer.closed before peer.left.
		for (const producer of [...peer.producers.values()]) producer.close();
		peer.close();
		this.peers.delete(peer.id);
		if (this.#closed) return;
		for (const other of this.peers.values()) other.notify('peer.left', { peerId: peer.id });
		this.emit('activity', { type: 'left', participantId: peer.id });
		this.emit('span', { type: 'peerLeft', peerId: peer.id });
	}

	/** Watchdog: mediasoup 3.12 keeps a transport "connected" forever; its byte counters tell the truth. */
	async #checkTransports(): Promise<void> {
		const now = Date.now();
		const silent = new Set<Peer>();
		await Promise.all(
			[...this.peers.values()].flatMap((peer) =>
				[...peer.transports.values()].map(async (transport) => {
					const w = this.#watch.get(transport);
					if (!w?.connected || transport.closed) return;
					let bytes: number;
					try {
						const stats = await transport.getStats();
						bytes = stats[0]?.bytesReceived ?? 0;
					} catch {
						return; // closed meanwhile
					}
					if (bytes !== w.bytes) {
						w.bytes = bytes;
						w.changedAt = now;
					} else if (now - w.changedAt > this.#options.mediaTimeoutMs) {
						silent.add(peer);
					}
				}),
			),
		);
		if (this.#closed) return;
		for (const peer of silent) {
			if (this.peers.get(peer.id) === peer) this.emit('mediatimeout', peer);
		}
	}
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
