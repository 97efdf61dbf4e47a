/**
 * Join tokens for the SFU's `/media` namespace. The server signs them when it lets someone into a room; the
 * SFU checks signature, room and expiry on the handshake and on every `room:join`, and asks `isRoomOpen` so
 * ending a session revokes all its tokens at once.
 */
import { createHmac } from 'node:crypto';
import { signJoinToken, type JoinRole } from '@yichuang/sfu';
import type { JoinInfo, MediaEndpoint } from '../contracts/dto.ts';
import { isoInZone } from '../lib/time.ts';
import type { MediaNodeRecord } from './core/placement.ts';
import type { PlaceRequest } from './media-nodes.ts';

/**
 * The media key is derived from the server secret rather than being the secret itself, so a key that leaks
 * from a media node (or a partner terminal's test rig) signs nothing else.
 */
export function deriveMediaKey(secret: string): string {
  return createHmac('sha256', secret).update('yichuang/media-join/v1').digest('base64url');
}

export interface JoinRequest {
  roomId: string;
  participantId: string;
  role: JoinRole;
  displayName: string;
  /** `assistSession:<id>` or `ticket:<id>`: what the room belongs to, for the SFU's logs. */
  sessionRef: string;
  /** The zone `expiresAt` is written in (the site's). */
  timeZone: string;
  /** The region of the participant's own site: with several media nodes, one of that region is chosen. */
  region?: string | undefined;
  /**
   * The media node the participant has just lost (a renewal after its connection dropped, `?lostNode=`): not
   * offered again unless no other node is live, so a node killed a moment ago is not named while its record
   * lives on.
   */
  lostNode?: string | undefined;
}

export interface MediaTokens {
  mint(request: JoinRequest): Promise<JoinInfo>;
}

/**
 * `endpoint`: where the browser takes the token (config `media.endpoint`). It rides with every token, so an
 * API node that hosts no rooms still sends browsers to the node that does. `place`, when media nodes
 * register themselves (media-nodes.ts), picks the node for the participant's region and room instead.
 */
export function createMediaTokens(deps: {
  key: string;
  ttlMs: number;
  now: () => number;
  endpoint: { url: string | undefined; path: string };
  place?: (request: PlaceRequest) => Promise<MediaNodeRecord | undefined>;
}): MediaTokens {
  const fixed: MediaEndpoint = Object.freeze({ url: deps.endpoint.url ?? null, path: deps.endpoint.path });
  const endpointFor = async (r: JoinRequest): Promise<MediaEndpoint> => {
    const node = await deps.place?.({ region: r.region, roomId: r.roomId, lost: r.lostNode });
    return node ? { url: node.url, path: node.path, node: node.id, region: node.region } : { ...fixed };
  };
  return {
    async mint(r) {
      const exp = deps.now() + deps.ttlMs;
      const token = signJoinToken(
        { roomId: r.roomId, participantId: r.participantId, role: r.role, displayName: r.displayName.slice(0, 100), sessionRef: r.sessionRef, exp },
        deps.key,
      );
      return { roomId: r.roomId, token, expiresAt: isoInZone(exp, r.timeZone), media: await endpointFor(r) };
    },
  };
}
