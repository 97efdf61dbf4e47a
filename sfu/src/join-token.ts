/**
 * Media join tokens: `base64url(JSON claims) "." base64url(HMAC-SHA256(secret, first part))`.
 *
 * Signed by the server when it lets someone into a room (API.md "Video assistance": `join: { roomId, token,
 * expiresAt }`), checked by the SFU on the `/media` handshake and on every `room:join`. A token is bound to one
 * participant in one room and expires after minutes; it is not a session: whether the room is still open is
 * asked separately (`isRoomOpen`), so ending a session revokes every token for it at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';

export const JoinRole = Type.Union([
	Type.Literal('clerk'),
	Type.Literal('expert'),
	Type.Literal('citizen'),
	Type.Literal('supervisor'),
	Type.Literal('admin'),
]);
export type JoinRole = Static<typeof JoinRole>;

export const JoinClaims = Type.Object(
	{
		roomId: Type.String({ minLength: 1, maxLength: 128 }),
		participantId: Type.String({ minLength: 1, maxLength: 128 }),
		role: JoinRole,
		displayName: Type.String({ maxLength: 100 }),
		/** What the room belongs to on the server side, e.g. `assistSession:<id>` or `ticket:<id>`. */
		sessionRef: Type.String({ maxLength: 200 }),
		/** Expiry, epoch milliseconds. */
		exp: Type.Integer({ minimum: 0 }),
	},
	{ additionalProperties: false },
);
export type JoinClaims = Static<typeof JoinClaims>;

const checkClaims = Compile(JoinClaims);

export type JoinTokenError = 'TOKEN_INVALID' | 'TOKEN_EXPIRED';
export type VerifyJoinTokenResult = { ok: true; claims: JoinClaims } | { ok: false; code: JoinTokenError };

// Rationale: far above any real token (~300 bytes) and small enough that hashing junk costs nothing.
const MAX_TOKEN_LENGTH = 2048;

function mac(payload: string, secret: string): Buffer {
	return createHmac('sha256', secret).update(payload).digest();
}

export function signJoinToken(claims: JoinClaims, secret: string): string {
	if (!checkClaims.Check(claims)) throw new TypeError('signJoinToken: claims do not match JoinClaims');
	if (secret.length === 0) throw new TypeError('signJoinToken: empty secret');
	// Serialise in a fixed key order so a token is a pure function of its claims.
	const ordered: JoinClaims = {
		roomId: claims.roomId,
		participantId: claims.participantId,
		role: claims.role,
		displayName: claims.displayName,
		sessionRef: claims.sessionRef,
		exp: claims.exp,
	};
	const payload = Buffer.from(JSON.stringify(ordered), 'utf8').toString('base64url');
	return `${payload}.${mac(payload, secret).toString('base64url')}`;
}

export function verifyJoinToken(token: unknown, secret: string, nowMs: number): VerifyJoinTokenResult {
	if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
		return { ok: false, code: 'TOKEN_INVALID' };
	}
	const dot = token.indexOf('.');
	if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, code: 'TOKEN_INVALID' };
	const payload = token.slice(0, dot);
	const signature = Buffer.from(token.slice(dot + 1), 'base64url');
	const expected = mac(payload, secret);
	if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
		return { ok: false, code: 'TOKEN_INVALID' };
	}
	let claims: unknown;
	try {
		claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
	} catch {
		return { ok: false, code: 'TOKEN_INVALID' };
	}
	if (!checkClaims.Check(claims)) return { ok: false, code: 'TOKEN_INVALID' };
	if (claims.exp <= nowMs) return { ok: false, code: 'TOKEN_EXPIRED' };
	return { ok: true, claims };
}
