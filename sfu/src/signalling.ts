/**
 * The `/media` namespace: handshake with a join token, requests with `{ data } | { error }` acks, server events.
 * Every inbound payload passes a compiled TypeBox check before anything else looks at it.
 */
import type { Namespace, Socket } from 'socket.io';
import { Compile } from 'typebox/compile';
import {
	MEDIA_ERRORS,
	Requests,
	type Ack,
	type ClientRequests,
	type HandshakeErrorData,
	type MediaErrorCode,
	type RequestName,
	type RequestPayload,
	type Responses,
	type ServerEvents,
} from './contracts.ts';
import { verifyJoinToken, type JoinClaims } from './join-token.ts';
import type { Notify, Peer } from './Peer.ts';
import type { Room, RoomResult } from './Room.ts';

export interface SocketData {
	token: string;
	claims: JoinClaims;
	peer: Peer | undefined;
	room: Room | undefined;
}

export type MediaNamespace = Namespace<ClientRequests, ServerEvents, Record<string, never>, SocketData>;
type MediaSocket = Socket<ClientRequests, ServerEvents, Record<string, never>, SocketData>;

export interface SignallingDeps {
	secret: string;
	now: () => number;
	isRoomOpen: (roomId: string) => Promise<boolean>;
	/** The live Room for `roomId`, created on first use. */
	getRoom: (roomId: string) => Promise<Room>;
}

export interface Signalling {
	/** Tells every connection in `roomId` the room is over (before the room itself is closed). */
	closeRoomConnections(roomId: string, reason: string): void;
	close(): void;
}

interface RequestValidator<T> {
	Check(value: unknown): value is T;
	Errors(value: unknown): { instancePath: string; message: string }[];
}
const compiled = {
	'room:join': Compile(Requests['room:join']),
	'transport:create': Compile(Requests['transport:create']),
	'transport:connect': Compile(Requests['transport:connect']),
	produce: Compile(Requests.produce),
	consume: Compile(Requests.consume),
	'consumer:resume': Compile(Requests['consumer:resume']),
	'producer:close': Compile(Requests['producer:close']),
	'transport:restartIce': Compile(Requests['transport:restartIce']),
	'room:leave': Compile(Requests['room:leave']),
};
const validators: { [N in RequestName]: RequestValidator<RequestPayload<N>> } = compiled;

export class SignallingError extends Error {
	constructor(
		readonly code: MediaErrorCode,
		message?: string,
	) {
		super(message ?? MEDIA_ERRORS[code]);
	}
}

function handshakeError(code: MediaErrorCode): Error & { data: HandshakeErrorData } {
	return Object.assign(new Error(code), { data: { code, message: MEDIA_ERRORS[code] } });
}

export function attachSignalling(namespace: MediaNamespace, deps: SignallingDeps): Signalling {
	/** One live connection per participant per room: `${roomId}\n${participantId}`. */
	const live = new Map<string, MediaSocket>();
	let closed = false;
	const keyOf = (claims: JoinClaims): string => `${claims.roomId}\n${claims.participantId}`;

	namespace.use((socket, next) => {
		if (closed) return next(handshakeError('UNAVAILABLE'));
		const auth: unknown = socket.handshake.auth;
		const token = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
		const verified = verifyJoinToken(token, deps.secret, deps.now());
		if (!verified.ok) return next(handshakeError(verified.code));
		deps.isRoomOpen(verified.claims.roomId).then(
			(open) => {
				if (!open) return next(handshakeError('ROOM_CLOSED'));
				socket.data.token = token as string;
				socket.data.claims = verified.claims;
				socket.data.peer = undefined;
				socket.data.room = undefined;
				next();
			},
			() => next(handshakeError('UNAVAILABLE')),
		);
	});

	const onConnection = (socket: MediaSocket): void => {
		const key = keyOf(socket.data.claims);
		const previous = live.get(key);
		live.set(key, socket);
		if (previous && previous !== socket) {
			// A second live connection with the same participant replaces the first.
			leaveRoom(previous);
			previous.emit('room.closed', { reason: 'replaced' });
			previous.disconnect(true);
		}

		// Requests of one connection run one at a time, in order: a client's produce cannot overtake its
		// transport:connect, and a leave cannot race a join.
		let queue: Promise<unknown> = Promise.resolve();
		const handle = <N extends RequestName>(name: N, run: (payload: RequestPayload<N>) => Promise<RoomResult<Responses[N]>> | RoomResult<Responses[N]>): void => {
			const listener = (payload: unknown, ack: unknown): void => {
				if (typeof ack !== 'function') return; // every request needs an ack; a client without one gets nothing
				const reply = ack as (response: Ack<Responses[N]>) => void;
				const validator = validators[name];
				if (!validator.Check(payload)) {
					const first = validator.Errors(payload)[0];
					const where = first ? `${first.instancePath || '/'}: ${first.message}` : 'invalid payload';
					reply({ error: { code: 'VALIDATION_FAILED', message: `${name} ${where}` } });
					return;
				}
				queue = queue.then(async () => {
					try {
						const result = await run(payload);
						reply(result.ok ? { data: result.value } : { error: result.error });
					} catch (error) {
						if (error instanceof SignallingError) {
							reply({ error: { code: error.code, message: error.message } });
						} else {
							reply({ error: { code: 'INTERNAL', message: MEDIA_ERRORS.INTERNAL } });
						}
					}
				});
			};
			// socket.io's typed `on` cannot relate a generic N to its listener type; the listener checks its input.
			(socket as unknown as { on(event: string, listener: (payload: unknown, ack: unknown) => void): void }).on(name, listener);
		};

		const joined = (): { peer: Peer; room: Room } => {
			const { peer, room } = socket.data;
			if (!peer || !room || peer.closed || room.closed) throw new SignallingError('NOT_JOINED');
			return { peer, room };
		};

		handle('room:join', async ({ roomId }) => {
			const claims = socket.data.claims;
			if (roomId !== undefined && roomId !== claims.roomId) throw new SignallingError('ROOM_MISMATCH');
			// Re-checked on every join: room.rejoin reuses the token until it expires.
			const verified = verifyJoinToken(socket.data.token, deps.secret, deps.now());
			if (!verified.ok) throw new SignallingError(verified.code);
			if (!(await deps.isRoomOpen(claims.roomId))) throw new SignallingError('ROOM_CLOSED');
			leaveRoom(socket);
			const room = await deps.getRoom(claims.roomId);
			if (!socket.connected || live.get(key) !== socket) throw new SignallingError('NOT_JOINED', 'connection replaced');
			const notify: Notify = (event, data) => {
				(socket as unknown as { emit(event: string, data: unknown): void }).emit(event, data);
			};
			const result = await room.join(claims, notify);
			if (!result.ok) return result;
			if (!socket.connected || live.get(key) !== socket) {
				room.leave(result.value.peer);
				throw new SignallingError('NOT_JOINED', 'connection replaced');
			}
			socket.data.peer = result.value.peer;
			socket.data.room = room;
			return { ok: true, value: result.value.response };
		});
		handle('transport:create', async (p) => {
			const { peer, room } = joined();
			return room.createTransport(peer, p);
		});
		handle('transport:connect', async (p) => {
			const { peer, room } = joined();
			return room.connectTransport(peer, p);
		});
		handle('transport:restartIce', async (p) => {
			const { peer, room } = joined();
			return room.restartIce(peer, p);
		});
		handle('produce', async (p) => {
			const { peer, room } = joined();
			return room.produce(peer, p);
		});
		handle('consume', async (p) => {
			const { peer, room } = joined();
			return room.consume(peer, p);
		});
		handle('consumer:resume', async (p) => {
			const { peer, room } = joined();
			return room.resumeConsumer(peer, p);
		});
		handle('producer:close', async (p) => {
			const { peer, room } = joined();
			return room.closeProducer(peer, p);
		});
		handle('room:leave', async () => {
			leaveRoom(socket);
			return { ok: true, value: {} };
		});

		socket.on('disconnect', () => {
			if (live.get(key) === socket) live.delete(key);
			leaveRoom(socket);
		});
	};
	namespace.on('connection', onConnection);

	function leaveRoom(socket: MediaSocket): void {
		const { peer, room } = socket.data;
		socket.data.peer = undefined;
		socket.data.room = undefined;
		if (peer && room && !room.closed) room.leave(peer);
	}

	return {
		closeRoomConnections(roomId, reason) {
			for (const socket of live.values()) {
				if (socket.data.claims.roomId !== roomId) continue;
				socket.data.peer = undefined;
				socket.data.room = undefined;
				socket.emit('room.closed', { reason });
			}
		},
		close() {
			if (closed) return;
			closed = true;
			namespace.off('connection', onConnection);
			for (const socket of live.values()) {
				socket.emit('room.closed', { reason: 'shutdown' });
				socket.disconnect(true);
			}
			live.clear();
		},
	};
}
