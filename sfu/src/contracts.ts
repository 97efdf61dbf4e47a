/**
 * The `/media` socket.io contract (API.md, "Video assistance"): request payload schemas, ack shapes, server
 * events and error codes. Shared with the browser client (`@yichuang/sfu/client`), which imports types only.
 *
 * Every request is `socket.emit(name, payload, ack)`; the ack answers `{ data }` or `{ error: { code, message } }`.
 */
import { Type, type Static } from 'typebox';

/** Error codes of the media signalling. */
export const MEDIA_ERRORS = {
	/** The handshake token is missing, malformed or not signed by this server. */
	TOKEN_INVALID: '令牌无效 / the join token is not valid',
	/** The token has expired: ask the server for a new one. */
	TOKEN_EXPIRED: '令牌已过期 / the join token has expired',
	/** `room:join { roomId }` names another room than the token was issued for. */
	ROOM_MISMATCH: '令牌不属于该房间 / the token is for another room',
	/** The session behind the room has ended (or never started), or the room was closed. */
	ROOM_CLOSED: '会话已结束 / the session has ended',
	/** The payload does not match the request's schema. */
	VALIDATION_FAILED: '请求内容有误 / the request is not valid',
	/** A media request before `room:join` (or after `room:leave`). */
	NOT_JOINED: '尚未加入房间 / join the room first',
	/** No such transport, producer or consumer (of this peer, in this room). */
	NOT_FOUND: '未找到 / not found',
	/** The peer already has a producer for that source, or too many transports. */
	LIMIT_REACHED: '超出限制 / limit reached',
	/** mediasoup refused the parameters (rtpParameters, dtlsParameters, codecs). */
	MEDIA_REJECTED: '媒体参数被拒绝 / the media parameters were rejected',
	/** The client's rtpCapabilities cannot receive that producer. */
	CANNOT_CONSUME: '无法接收该媒体 / cannot receive this media',
	/** The media service is shutting down. */
	UNAVAILABLE: '服务暂不可用 / temporarily unavailable',
	INTERNAL: '服务器内部错误 / internal error',
} as const;
export type MediaErrorCode = keyof typeof MEDIA_ERRORS;

export interface MediaError {
	code: MediaErrorCode;
	message: string;
}
export type Ack<T> = { data: T } | { error: MediaError };

export const MediaSource = Type.Union([
	Type.Literal('camera'),
	Type.Literal('mic'),
	Type.Literal('screen'),
	Type.Literal('document'),
]);
export type MediaSource = Static<typeof MediaSource>;
export const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
export type MediaKind = Static<typeof MediaKind>;

const Id = Type.String({ minLength: 1, maxLength: 64 });
// Rationale: nested media objects are checked for shape here and for meaning by mediasoup itself; the limits
// stop a client from making the server parse megabytes of JSON.
const SmallInt = Type.Integer({ minimum: 0, maximum: 0xffffffff });
const ShortString = Type.String({ maxLength: 256 });
const Parameters = Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 256 }), Type.Number()]));
const RtcpFeedback = Type.Object({ type: ShortString, parameter: Type.Optional(ShortString) });

export const DtlsParameters = Type.Object({
	role: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('client'), Type.Literal('server')])),
	fingerprints: Type.Array(
		Type.Object({
			algorithm: Type.Union([
				Type.Literal('sha-1'),
				Type.Literal('sha-224'),
				Type.Literal('sha-256'),
				Type.Literal('sha-384'),
				Type.Literal('sha-512'),
			]),
			value: Type.String({ minLength: 1, maxLength: 256 }),
		}),
		{ minItems: 1, maxItems: 8 },
	),
});

export const RtpParameters = Type.Object({
	mid: Type.Optional(Type.String({ maxLength: 32 })),
	codecs: Type.Array(
		Type.Object({
			mimeType: Type.String({ minLength: 1, maxLength: 64 }),
			payloadType: Type.Integer({ minimum: 0, maximum: 127 }),
			clockRate: SmallInt,
			channels: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
			parameters: Type.Optional(Parameters),
			rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 32 })),
		}),
		{ minItems: 1, maxItems: 16 },
	),
	headerExtensions: Type.Optional(
		Type.Array(
			Type.Object({
				uri: ShortString,
				id: Type.Integer({ minimum: 1, maximum: 255 }),
				encrypt: Type.Optional(Type.Boolean()),
				parameters: Type.Optional(Parameters),
			}),
			{ maxItems: 32 },
		),
	),
	encodings: Type.Optional(
		Type.Array(
			Type.Object({
				ssrc: Type.Optional(SmallInt),
				rid: Type.Optional(Type.String({ maxLength: 32 })),
				codecPayloadType: Type.Optional(Type.Integer({ minimum: 0, maximum: 127 })),
				rtx: Type.Optional(Type.Object({ ssrc: SmallInt })),
				dtx: Type.Optional(Type.Boolean()),
				scalabilityMode: Type.Optional(Type.String({ maxLength: 16 })),
				scaleResolutionDownBy: Type.Optional(Type.Number({ minimum: 1, maximum: 64 })),
				maxBitrate: Type.Optional(Type.Number({ minimum: 0 })),
			}),
			{ maxItems: 8 },
		),
	),
	rtcp: Type.Optional(
		Type.Object({
			cname: Type.Optional(ShortString),
			reducedSize: Type.Optional(Type.Boolean()),
			mux: Type.Optional(Type.Boolean()),
		}),
	),
});

export const RtpCapabilities = Type.Object({
	codecs: Type.Optional(
		Type.Array(
			Type.Object({
				kind: MediaKind,
				mimeType: Type.String({ minLength: 1, maxLength: 64 }),
				preferredPayloadType: Type.Optional(Type.Integer({ minimum: 0, maximum: 127 })),
				clockRate: SmallInt,
				channels: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
				parameters: Type.Optional(Parameters),
				rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 32 })),
			}),
			{ maxItems: 64 },
		),
	),
	headerExtensions: Type.Optional(
		Type.Array(
			Type.Object({
				kind: MediaKind,
				uri: ShortString,
				preferredId: Type.Integer({ minimum: 1, maximum: 255 }),
				preferredEncrypt: Type.Optional(Type.Boolean()),
				direction: Type.Optional(
					Type.Union([
						Type.Literal('sendrecv'),
						Type.Literal('sendonly'),
						Type.Literal('recvonly'),
						Type.Literal('inactive'),
					]),
				),
			}),
			{ maxItems: 64 },
		),
	),
});

const Strict = { additionalProperties: false } as const;

/** Request payload schemas, one per client → server event. */
export const Requests = {
	/** Join the room named in the token. `roomId`, when given, must match it. */
	'room:join': Type.Object({ roomId: Type.Optional(Id) }, Strict),
	'transport:create': Type.Object({ direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]) }, Strict),
	'transport:connect': Type.Object({ transportId: Id, dtlsParameters: DtlsParameters }, Strict),
	produce: Type.Object(
		{
			transportId: Id,
			kind: MediaKind,
			rtpParameters: RtpParameters,
			appData: Type.Object({ source: MediaSource }, Strict),
		},
		Strict,
	),
	consume: Type.Object({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities }, Strict),
	'consumer:resume': Type.Object({ consumerId: Id }, Strict),
	'producer:close': Type.Object({ producerId: Id }, Strict),
	'transport:restartIce': Type.Object({ transportId: Id }, Strict),
	'room:leave': Type.Object({}, Strict),
} as const;
export type RequestName = keyof typeof Requests;
export type RequestPayload<N extends RequestName> = Static<(typeof Requests)[N]>;

export interface IceServer {
	urls: string | string[];
	username?: string;
	credential?: string;
}

export interface PeerInfo {
	peerId: string;
	role: string;
	displayName: string;
	producers: { producerId: string; kind: MediaKind; source: MediaSource }[];
}

/** What each request's ack carries in `data`. */
export interface Responses {
	'room:join': {
		roomId: string;
		peerId: string;
		role: string;
		/** mediasoup RtpCapabilities of the room's router(s). */
		routerRtpCapabilities: Static<typeof RtpCapabilities>;
		iceServers: IceServer[];
		peers: PeerInfo[];
	};
	'transport:create': {
		id: string;
		iceParameters: { usernameFragment: string; password: string; iceLite?: boolean };
		iceCandidates: {
			foundation: string;
			priority: number;
			ip: string;
			protocol: 'udp' | 'tcp';
			port: number;
			type: 'host';
			tcpType?: 'passive';
		}[];
		dtlsParameters: Static<typeof DtlsParameters>;
	};
	'transport:connect': Record<string, never>;
	produce: { id: string };
	consume: {
		id: string;
		producerId: string;
		kind: MediaKind;
		rtpParameters: Static<typeof RtpParameters>;
		appData: { peerId: string; source: MediaSource };
	};
	'consumer:resume': Record<string, never>;
	'producer:close': Record<string, never>;
	'transport:restartIce': { iceParameters: { usernameFragment: string; password: string; iceLite?: boolean } };
	'room:leave': Record<string, never>;
}

/** Why the server sends `room.rejoin`. */
export type RejoinReason = 'workerDied' | 'mediaTimeout';

/** Server → client events. */
export interface ServerEvents {
	/** Another participant joined the room. */
	'peer.joined': (data: { peer: PeerInfo }) => void;
	/** A participant left (or was disconnected). */
	'peer.left': (data: { peerId: string }) => void;
	/** A participant started sending; consume it with `consume { producerId }`. */
	'producer.new': (data: { peerId: string; producerId: string; kind: MediaKind; source: MediaSource }) => void;
	'producer.closed': (data: { producerId: string }) => void;
	/** One of this client's consumers ended (its producer closed, or its transport went away). */
	'consumer.closed': (data: { consumerId: string }) => void;
	/** The room moved (its worker died) or this client's media path went silent: join again with the same token. */
	'room.rejoin': (data: { reason: RejoinReason }) => void;
	/**
	 * The room is over for this connection: `sessionEnded` (closed by the server), `replaced` (the same
	 * participant connected again elsewhere), `shutdown`. Do not rejoin.
	 */
	'room.closed': (data: { reason: string }) => void;
}

export type ClientRequests = {
	[N in RequestName]: (payload: RequestPayload<N>, ack: (response: Ack<Responses[N]>) => void) => void;
};

/** `connect_error` carries this in `err.data` when the handshake is refused. */
export interface HandshakeErrorData {
	code: MediaErrorCode;
	message: string;
}
