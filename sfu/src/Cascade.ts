/**
 * Rooms that span media nodes (Jitsi's Octo, done with mediasoup PipeTransports): every participant sends to
 * and receives from the media node of its own region, and the nodes hosting one room link their routers with
 * one SRTP PipeTransport per pair. Each producer crosses a link once, as one pipe consumer, whatever the
 * number of consumers on the far side.
 *
 * The nodes negotiate through a bus (`CascadeBus`: Redis pub/sub in server/src/video/media-nodes.ts):
 *
 *   lower node id                           higher node id
 *   ── offer { ip, port, srtp } ──────────▶  creates its pipe, connects
 *   ◀────────────────── answer { ip, port, srtp }   then sends its peers and producers
 *   connects, then sends its peers and producers
 *
 * The higher id, when it is the one that finds the other, asks with `hello` so the lower one offers: one
 * offerer per pair, no glare. Messages between two nodes are handled one at a time, in order.
 */
import type { types } from 'mediasoup';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { MediaKind, MediaSource, RtpParameters, type PeerInfo } from './contracts.ts';
import type { ProducerAppData } from './Peer.ts';
import type { Room, SpanEvent } from './Room.ts';

interface Tuple {
	ip: string;
	port: number;
	srtp: types.SrtpParameters;
}

/** What media nodes say to each other about one room. */
export type CascadeMessage = { roomId: string; from: string } & (
	| { type: 'hello' }
	| ({ type: 'offer' } & Tuple)
	| ({ type: 'answer' } & Tuple)
	| { type: 'peer'; peer: Omit<PeerInfo, 'producers'> }
	| { type: 'peerLeft'; peerId: string }
	| {
			type: 'producer';
			peerId: string;
			producerId: string;
			kind: MediaKind;
			source: MediaSource;
			rtpParameters: types.RtpParameters;
			paused: boolean;
	  }
	| { type: 'producerClosed'; producerId: string }
	| { type: 'unlink' }
);

// Checked on receipt like any inbound payload: the bus is shared infrastructure, not this process.
const Id = Type.String({ minLength: 1, maxLength: 128 });
const TupleFields = {
	ip: Type.String({ minLength: 1, maxLength: 64 }),
	port: Type.Integer({ minimum: 1, maximum: 65535 }),
	srtp: Type.Object({
		cryptoSuite: Type.Union([Type.Literal('AEAD_AES_256_GCM'), Type.Literal('AEAD_AES_128_GCM'), Type.Literal('AES_CM_128_HMAC_SHA1_80'), Type.Literal('AES_CM_128_HMAC_SHA1_32')]),
		keyBase64: Type.String({ maxLength: 256 }),
	}),
};
const Head = { roomId: Id, from: Id };
const checkMessage = Compile(
	Type.Union([
		Type.Object({ ...Head, type: Type.Literal('hello') }),
		Type.Object({ ...Head, type: Type.Literal('offer'), ...TupleFields }),
		Type.Object({ ...Head, type: Type.Literal('answer'), ...TupleFields }),
		Type.Object({ ...Head, type: Type.Literal('peer'), peer: Type.Object({ peerId: Id, role: Type.String({ maxLength: 32 }), displayName: Type.String({ maxLength: 100 }) }) }),
		Type.Object({ ...Head, type: Type.Literal('peerLeft'), peerId: Id }),
		Type.Object({ ...Head, type: Type.Literal('producer'), peerId: Id, producerId: Id, kind: MediaKind, source: MediaSource, rtpParameters: RtpParameters, paused: Type.Boolean() }),
		Type.Object({ ...Head, type: Type.Literal('producerClosed'), producerId: Id }),
		Type.Object({ ...Head, type: Type.Literal('unlink') }),
	]),
);

type Body<T extends CascadeMessage['type']> = Omit<Extract<CascadeMessage, { type: T }>, 'roomId' | 'from'>;

export interface CascadeBus {
	/** Delivers `message` to node `to`, in order with this node's earlier messages to it. */
	send(to: string, message: CascadeMessage): void;
}

export interface RoomDirectory {
	/** Records that this node hosts `roomId`; resolves with the other live nodes that do. */
	enter(roomId: string): Promise<string[]>;
	leave(roomId: string): Promise<void>;
}

export interface CascadeOptions {
	nodeId: string;
	bus: CascadeBus;
	directory: RoomDirectory;
	/** Where this node's pipes listen, and the address other nodes send to (the inter-node link). */
	listenIp: string;
	announcedIp?: string;
	/** The live room `roomId` on this node, if any; links are only made for rooms that exist here. */
	room(roomId: string): Room | undefined;
	onError?(error: unknown, context: string): void;
	/**
	 * How often each room here looks again for the other nodes hosting it and links to any it has no link with
	 * (a lost message, a link dropped while Redis was away). Default 5 s; 0 disables.
	 */
	reconcileIntervalMs?: number;
	/** An offer unanswered this long is abandoned and made again at the next reconcile. Default 5 s. */
	linkTimeoutMs?: number;
}

interface Link {
	roomId: string;
	node: string;
	room: Room;
	transport: types.PipeTransport | undefined;
	openedAt: number;
	/** This node's producers being sent over the link: one pipe consumer each. */
	consumers: Set<types.Consumer>;
	ready: boolean;
	closed: boolean;
}

/** One link of a room, as operations and tests see it. */
export interface LinkInfo {
	node: string;
	ready: boolean;
	srtp: boolean;
	/** Producers sent over it (pipe consumers). */
	pipedOut: number;
}

export interface CascadeStats {
	links: number;
	/** Producers of this node's participants being sent to other nodes (one per producer per linked node). */
	pipedOut: number;
}

export class Cascade {
	readonly #o: CascadeOptions;
	readonly #links = new Map<string, Link>();
	/** Per `${roomId}\n${node}`: that pair's messages, one at a time. */
	readonly #queues = new Map<string, Promise<void>>();
	readonly #attached = new WeakSet<Room>();
	/** Live rooms here, for reconciling. */
	readonly #rooms = new Map<string, Room>();
	readonly #timer: NodeJS.Timeout | undefined;
	#closed = false;

	constructor(options: CascadeOptions) {
		this.#o = options;
		const every = options.reconcileIntervalMs ?? 5_000;
		if (every > 0) {
			this.#timer = setInterval(() => void this.reconcile(), every);
			this.#timer.unref();
		}
	}

	get nodeId(): string {
		return this.#o.nodeId;
	}

	/** Starts spanning a room created on this node: finds the other nodes hosting it and links to each. */
	attach(room: Room): void {
		if (this.#closed || this.#attached.has(room)) return;
		this.#attached.add(room);
		this.#rooms.set(room.id, room);
		room.on('span', (event) => this.#onSpan(room, event));
		room.once('close', () => {
			if (this.#rooms.get(room.id) === room) this.#rooms.delete(room.id);
			for (const link of this.#linksOf(room.id)) {
				this.#send(link.node, room.id, { type: 'unlink' });
				this.#closeLink(link);
			}
			if (!this.#closed) void this.#o.directory.leave(room.id).catch((error: unknown) => this.#o.onError?.(error, 'directory.leave'));
		});
		void this.#find(room);
	}

	/** Every room here: abandon offers left unanswered, then link to any hosting node without a link. */
	async reconcile(): Promise<void> {
		const timeout = this.#o.linkTimeoutMs ?? 5_000;
		for (const link of [...this.#links.values()]) if (!link.ready && Date.now() - link.openedAt > timeout) this.#closeLink(link);
		for (const room of [...this.#rooms.values()]) if (!room.closed && !this.#closed) await this.#find(room);
	}

	async #find(room: Room): Promise<void> {
		let nodes: string[];
		try {
			nodes = await this.#o.directory.enter(room.id);
		} catch (error) {
			this.#o.onError?.(error, 'directory.enter');
			return;
		}
		for (const node of nodes) if (node !== this.nodeId) this.#serial(room.id, node, () => this.#ensureLink(room, node));
	}

	/** A message from another node (the bus calls this); anything not shaped like a CascadeMessage is dropped. */
	receive(message: unknown): void {
		if (!checkMessage.Check(message)) {
			this.#o.onError?.(new Error('malformed cascade message'), 'cascade receive');
			return;
		}
		if (this.#closed || message.from === this.nodeId) return;
		this.#serial(message.roomId, message.from, () => this.#handle(message));
	}

	/** Drops the links to nodes no longer alive: their participants leave every room here. */
	keepOnly(alive: ReadonlySet<string>): void {
		for (const link of [...this.#links.values()]) if (!alive.has(link.node)) this.#closeLink(link);
	}

	stats(): CascadeStats {
		let pipedOut = 0;
		for (const link of this.#links.values()) pipedOut += link.consumers.size;
		return { links: [...this.#links.values()].filter((l) => l.ready).length, pipedOut };
	}

	/** Nodes this node has a working link with for `roomId`. */
	linkedNodes(roomId: string): string[] {
		return this.#linksOf(roomId).filter((l) => l.ready).map((l) => l.node);
	}

	links(roomId: string): LinkInfo[] {
		return this.#linksOf(roomId).map((l) => ({ node: l.node, ready: l.ready, srtp: l.transport?.srtpParameters !== undefined, pipedOut: l.consumers.size }));
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		clearInterval(this.#timer);
		for (const link of [...this.#links.values()]) this.#closeLink(link);
	}

	async #handle(message: CascadeMessage): Promise<void> {
		const { roomId, from } = message;
		const room = this.#o.room(roomId);
		const link = this.#links.get(key(roomId, from));
		switch (message.type) {
			case 'hello':
			case 'offer': {
				if (!room || room.closed) {
					this.#send(from, roomId, { type: 'unlink' });
					return;
				}
				// Our offer is already on its way to a node saying hello: that is the answer to it.
				if (message.type === 'hello' && link && !link.ready) return;
				// Otherwise the other side starts over (its room was rebuilt): so do we.
				if (link) this.#closeLink(link);
				if (message.type === 'hello') return this.#ensureLink(room, from);
				const fresh = await this.#openLink(room, from);
				if (!fresh) return;
				await fresh.transport?.connect({ ip: message.ip, port: message.port, srtpParameters: message.srtp });
				this.#send(from, roomId, { type: 'answer', ...tupleOf(fresh.transport) });
				await this.#ready(fresh);
				return;
			}
			case 'answer': {
				if (!link?.transport || link.ready || link.closed) return;
				await link.transport.connect({ ip: message.ip, port: message.port, srtpParameters: message.srtp });
				await this.#ready(link);
				return;
			}
			case 'peer':
				if (link?.ready) link.room.addRemotePeer(from, message.peer);
				return;
			case 'peerLeft':
				room?.removeRemotePeer(from, message.peerId);
				return;
			case 'producer': {
				if (!link?.ready || !link.transport) return;
				const producer = await link.transport.produce<ProducerAppData>({
					id: message.producerId,
					kind: message.kind,
					rtpParameters: message.rtpParameters,
					paused: message.paused,
					appData: { peerId: message.peerId, source: message.source },
				});
				const router = link.room.homeRouter;
				if (link.closed || !router) producer.close();
				else link.room.addRemoteProducer(from, message.peerId, router, producer);
				return;
			}
			case 'producerClosed':
				room?.closeRemoteProducer(from, message.producerId);
				return;
			case 'unlink':
				if (link) this.#closeLink(link);
				return;
			default:
				assertUnreachable(message);
		}
	}

	async #ensureLink(room: Room, node: string): Promise<void> {
		if (room.closed || this.#links.has(key(room.id, node))) return;
		if (this.nodeId > node) {
			this.#send(node, room.id, { type: 'hello' });
			return;
		}
		const link = await this.#openLink(room, node);
		if (link?.transport) this.#send(node, room.id, { type: 'offer', ...tupleOf(link.transport) });
	}

	async #openLink(room: Room, node: string): Promise<Link | undefined> {
		const router = room.homeRouter;
		if (!router) return undefined;
		const link: Link = { roomId: room.id, node, room, transport: undefined, openedAt: Date.now(), consumers: new Set(), ready: false, closed: false };
		this.#links.set(key(room.id, node), link);
		const transport = await router.createPipeTransport({
			listenIp: { ip: this.#o.listenIp, ...(this.#o.announcedIp ? { announcedIp: this.#o.announcedIp } : {}) },
			// The link crosses provinces: encrypted, and with NACK/RTX so a lost packet is resent over the link
			// rather than costing the far side a key frame.
			enableSrtp: true,
			enableRtx: true,
			appData: { node },
		});
		if (link.closed) {
			transport.close();
			return undefined;
		}
		link.transport = transport;
		// The home router closing (its worker died) ends the link; the room is rebuilt and links again.
		transport.observer.once('close', () => this.#closeLink(link));
		return link;
	}

	/** The link is up: tell the other node about our own participants and pipe it their producers. */
	async #ready(link: Link): Promise<void> {
		if (link.closed) return;
		link.ready = true;
		for (const peer of link.room.peers.values()) {
			this.#send(link.node, link.roomId, { type: 'peer', peer: { peerId: peer.id, role: peer.role, displayName: peer.displayName } });
		}
		for (const { peerId, producer } of link.room.localProducers()) await this.#pipeOut(link, peerId, producer);
	}

	async #pipeOut(link: Link, peerId: string, producer: types.Producer<ProducerAppData>): Promise<void> {
		if (!link.ready || !link.transport || link.closed || producer.closed) return;
		// The link's pipe lives on the home router; a producer of a peer on another router of this room (the
		// room outgrew one worker) is piped to the home router first, or the pipe has nothing to consume.
		if (!(await link.room.pipeToHome(producer.id)) || !link.ready || link.closed || !link.transport) return;
		const consumer = await link.transport.consume({ producerId: producer.id });
		if (link.closed) return;
		link.consumers.add(consumer);
		consumer.observer.once('close', () => link.consumers.delete(consumer));
		this.#send(link.node, link.roomId, {
			type: 'producer',
			peerId,
			producerId: producer.id,
			kind: producer.kind as MediaKind,
			source: producer.appData.source,
			rtpParameters: consumer.rtpParameters,
			paused: consumer.producerPaused,
		});
	}

	#onSpan(room: Room, event: SpanEvent): void {
		for (const link of this.#linksOf(room.id)) {
			if (!link.ready) continue;
			this.#serial(room.id, link.node, async () => {
				switch (event.type) {
					case 'peerJoined': {
						const { peerId, role, displayName } = event.peer;
						this.#send(link.node, room.id, { type: 'peer', peer: { peerId, role, displayName } });
						return;
					}
					case 'peerLeft':
						this.#send(link.node, room.id, { type: 'peerLeft', peerId: event.peerId });
						return;
					case 'producer':
						return this.#pipeOut(link, event.peerId, event.producer);
					case 'producerClosed':
						this.#send(link.node, room.id, { type: 'producerClosed', producerId: event.producerId });
						return;
					default:
						assertUnreachable(event);
				}
			});
		}
	}

	#closeLink(link: Link): void {
		if (link.closed) return;
		link.closed = true;
		link.ready = false;
		if (this.#links.get(key(link.roomId, link.node)) === link) this.#links.delete(key(link.roomId, link.node));
		link.transport?.close();
		if (!link.room.closed) link.room.dropNode(link.node);
	}

	#linksOf(roomId: string): Link[] {
		return [...this.#links.values()].filter((l) => l.roomId === roomId);
	}

	#send<T extends CascadeMessage['type']>(to: string, roomId: string, body: Body<T> & { type: T }): void {
		if (this.#closed) return;
		this.#o.bus.send(to, { roomId, from: this.nodeId, ...body } as CascadeMessage);
	}

	#serial(roomId: string, node: string, task: () => Promise<void>): void {
		const k = key(roomId, node);
		const run = (this.#queues.get(k) ?? Promise.resolve()).then(task).catch((error: unknown) => this.#o.onError?.(error, `cascade ${node}`));
		this.#queues.set(k, run);
		void run.then(() => {
			if (this.#queues.get(k) === run) this.#queues.delete(k);
		});
	}
}

function key(roomId: string, node: string): string {
	return `${roomId}\n${node}`;
}

function tupleOf(transport: types.PipeTransport | undefined): Tuple {
	if (!transport?.srtpParameters) throw new Error('pipe transport without SRTP parameters');
	return { ip: transport.tuple.localIp, port: transport.tuple.localPort, srtp: transport.srtpParameters };
}

function assertUnreachable(x: never): never {
	throw new Error(`unexpected ${JSON.stringify(x)}`);
}
