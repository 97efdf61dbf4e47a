/**
 * @yichuang/sfu: video assistance media (mediasoup 3.12) behind the `/media` socket.io namespace.
 *
 * ```ts
 * const media = createMediaService({
 *   namespace: io.of('/media'),
 *   secret: config.secret,
 *   isRoomOpen: (roomId) => assistSessions.isRoomOpen(roomId),
 *   onRoomEvent: (roomId, ev) => log.info({ roomId, ev }),
 *   workerOptions: { workerBin, listenIp, announcedIp, rtcBasePort },
 *   iceServers: turnUrls.length ? [{ urls: turnUrls, username, credential }] : [],
 * });
 * app.addHook('onClose', () => media.close());
 * ```
 */
import type { Namespace } from 'socket.io';
import type { IceServer } from './contracts.ts';
import { Room, type RoomActivity, type RoomOptions } from './Room.ts';
import { Cascade, type CascadeOptions, type CascadeStats } from './Cascade.ts';
import { attachSignalling, SignallingError, type MediaNamespace } from './signalling.ts';
import { WorkerPool, type WorkerDiedEvent, type WorkerPoolOptions, type WorkerStats } from './WorkerPool.ts';

export * from './contracts.ts';
export { signJoinToken, verifyJoinToken, JoinClaims, JoinRole, type VerifyJoinTokenResult, type JoinTokenError } from './join-token.ts';
export { WorkerPool, DEFAULT_MEDIA_CODECS, type WorkerPoolOptions, type WorkerStats, type WorkerDiedEvent } from './WorkerPool.ts';
export { Room, type RoomOptions, type RoomActivity, type RoomResult } from './Room.ts';
export { Peer } from './Peer.ts';
export { attachSignalling, type MediaNamespace, type SocketData } from './signalling.ts';
export { Cascade, type CascadeBus, type CascadeMessage, type CascadeOptions, type CascadeStats, type RoomDirectory } from './Cascade.ts';

export type RoomEvent = RoomActivity;

export interface MediaServiceOptions {
	/** The `/media` namespace, e.g. `io.of('/media')`. */
	namespace: Namespace | MediaNamespace;
	/** Key of the join tokens (signJoinToken). */
	secret: string;
	/** Whether the session behind a room still lets people in; asked on every handshake and join. */
	isRoomOpen: (roomId: string) => Promise<boolean>;
	/** Who joined and left, and screen shares starting and stopping, per room. */
	onRoomEvent?: (roomId: string, event: RoomEvent) => void;
	workerOptions?: WorkerPoolOptions;
	roomOptions?: Omit<RoomOptions, 'iceServers'>;
	/** STUN/TURN servers handed to clients in the `room:join` answer. */
	iceServers?: IceServer[];
	/** Clock for token expiry; default Date.now. */
	now?: () => number;
	/** Rooms that span media nodes (Cascade.ts): this node's id, the bus and directory, the pipe address. */
	cascade?: Omit<CascadeOptions, 'room'>;
}

export interface MediaServiceStats {
	rooms: number;
	peers: number;
	consumers: number;
	workers: WorkerStats[];
	workerDeaths: number;
	/** Participants of this node's rooms who joined on other media nodes. */
	remotePeers: number;
	cascade: CascadeStats | undefined;
	draining: boolean;
}

export interface MediaService {
	/** Ends a room: its connections get `room.closed { reason }` and its media stops. */
	closeRoom(roomId: string, reason: string): void;
	/** Closes every room, the signalling and the workers. Idempotent. */
	close(): void;
	stats(): MediaServiceStats;
	/** The pool, for operations and tests (e.g. which worker hosts a room). */
	readonly pool: WorkerPool;
	/** Worker indexes of a live room, or undefined. */
	roomWorkers(roomId: string): number[] | undefined;
	/** The live Room object, for operations and tests. */
	room(roomId: string): Room | undefined;
	/** Links to other media nodes, when rooms span nodes. */
	readonly cascade: Cascade | undefined;
	/** Maintenance: no new rooms here from now on; the rooms already here go on until they end. */
	drain(): void;
}

export function createMediaService(options: MediaServiceOptions): MediaService {
	const pool = new WorkerPool(options.workerOptions);
	const roomOptions: RoomOptions = { ...options.roomOptions, iceServers: options.iceServers ?? [] };
	/** Rooms by id, as promises so concurrent first joins share one creation. */
	const rooms = new Map<string, Promise<Room>>();
	const live = new Map<string, Room>();
	let closed = false;
	let draining = false;
	let workerDeaths = 0;
	const cascade = options.cascade ? new Cascade({ ...options.cascade, room: (roomId) => live.get(roomId) }) : undefined;

	function track(roomId: string, creating: Promise<Room>): Promise<Room> {
		rooms.set(roomId, creating);
		creating.then(
			(room) => {
				if (closed) {
					room.close('shutdown');
					return;
				}
				live.set(roomId, room);
				room.on('activity', (ev) => options.onRoomEvent?.(roomId, ev));
				cascade?.attach(room);
				room.on('mediatimeout', (peer) => {
					// The peer's media path is dead although its socket may live on: drop it and let it rejoin.
					room.leave(peer);
					peer.notify('room.rejoin', { reason: 'mediaTimeout' });
				});
				room.on('close', () => {
					if (live.get(roomId) === room) live.delete(roomId);
					if (rooms.get(roomId) === creating) rooms.delete(roomId);
				});
			},
			() => {
				if (rooms.get(roomId) === creating) rooms.delete(roomId);
			},
		);
		return creating;
	}

	async function getRoom(roomId: string): Promise<Room> {
		if (closed) throw new Error('media service closed');
		const existing = rooms.get(roomId);
		if (existing) {
			const room = await existing;
			if (!room.closed) return room;
		}
		const current = rooms.get(roomId);
		if (current && current !== existing) return current;
		if (draining) throw new SignallingError('UNAVAILABLE', 'this media node is draining: ask for a fresh join');
		return track(roomId, Room.create(roomId, pool, roomOptions));
	}

	const signalling = attachSignalling(options.namespace as unknown as MediaNamespace, {
		secret: options.secret,
		now: options.now ?? Date.now,
		isRoomOpen: options.isRoomOpen,
		getRoom,
	});

	pool.on('workerdied', (event: WorkerDiedEvent) => {
		workerDeaths += 1;
		for (const roomId of event.roomIds) {
			const room = live.get(roomId);
			if (!room) continue;
			const peers = [...room.peers.values()];
			room.close('workerDied');
			// Rebuild on another worker before telling anyone, so their rejoin finds it ready.
			const rebuilt = track(roomId, Room.create(roomId, pool, roomOptions, [event.index]));
			const tell = (): void => {
				for (const peer of peers) peer.notify('room.rejoin', { reason: 'workerDied' });
			};
			rebuilt.then(tell, tell);
		}
	});

	return {
		pool,
		closeRoom(roomId, reason) {
			signalling.closeRoomConnections(roomId, reason);
			live.get(roomId)?.close(reason);
			rooms.delete(roomId);
		},
		close() {
			if (closed) return;
			closed = true;
			signalling.close();
			cascade?.close();
			for (const room of live.values()) room.close('shutdown');
			live.clear();
			rooms.clear();
			pool.close();
		},
		stats() {
			let peers = 0;
			let consumers = 0;
			let remotePeers = 0;
			for (const room of live.values()) {
				peers += room.peers.size;
				consumers += room.consumerCount;
				remotePeers += room.remotePeerIds.length;
			}
			return { rooms: live.size, peers, consumers, workers: pool.stats(), workerDeaths, remotePeers, cascade: cascade?.stats(), draining };
		},
		cascade,
		drain() {
			draining = true;
		},
		roomWorkers(roomId) {
			return live.get(roomId)?.workerIndexes;
		},
		room(roomId) {
			return live.get(roomId);
		},
	};
}
