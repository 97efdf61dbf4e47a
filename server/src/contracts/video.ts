/**
 * Video assistance (视频帮办 / 屏对屏) and virtual windows: request and response schemas (API.md "Video
 * assistance"), and the `/hall` presence event experts send. Media signalling itself (`/media`) is the SFU's
 * contract: `@yichuang/sfu` contracts.ts.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { Id, IsoTime, JoinInfo, SITE_LEVELS } from './dto.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Enum = <const V extends string[]>(values: readonly [...V]) => Type.Enum(values);

export const ASSIST_STATUSES = ['ringing', 'active', 'ended'] as const;
export type AssistStatus = (typeof ASSIST_STATUSES)[number];
/** Why a session ended: the work is done, the requester withdrew before anyone answered, or nobody answered. */
export const ASSIST_END_REASONS = ['completed', 'cancelled', 'unanswered'] as const;
export type AssistEndReason = (typeof ASSIST_END_REASONS)[number];

/**
 * Whom to ring. At most one of `siteId`, `level`, `region` (a `level` of `crossProvince` goes with a
 * `region`); `skill` narrows any of them, or alone means any expert with that skill. Nothing at all means the
 * experts covering the requesting site, nearest first.
 */
export const AssistTarget = Type.Object(
  {
    /** Experts assigned to this site (or above it: escalation climbs the site tree). */
    siteId: Type.Optional(Id),
    /** The requesting site's nearest ancestor (or itself) of this level, e.g. `district`. */
    level: Type.Optional(Enum(SITE_LEVELS)),
    /** A cross-province partner desk (长三角跨省通办) of this region, e.g. `JS-WJ`. */
    region: Type.Optional(Type.String({ pattern: '^[A-Z]{2}-[A-Z]{2,3}$' })),
    skill: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { additionalProperties: false },
);
export type AssistTarget = Static<typeof AssistTarget>;

export const AssistSessionCreate = Type.Object(
  {
    /** The requesting site (the clerk's station). */
    siteId: Id,
    ticketId: Type.Optional(Id),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    target: Type.Optional(AssistTarget),
  },
  { additionalProperties: false },
);
export type AssistSessionCreate = Static<typeof AssistSessionCreate>;

export const AssistParticipant = Type.Object({
  staffId: Id,
  displayName: Type.String(),
  role: Type.String(),
  /** `requester` (the clerk), `expert` (who accepted), `invited` (added mid-call). */
  kind: Enum(['requester', 'expert', 'invited'] as const),
  addedAt: IsoTime,
});

export const AssistRecording = Type.Object({
  id: Id,
  participantId: Type.String(),
  source: Type.String(),
  kind: Enum(['audio', 'video'] as const),
  /** Path under the recordings directory. */
  file: Type.String(),
  status: Enum(['recording', 'stored', 'failed'] as const),
  /** SHA-256 (hex) of the stored file, for audit. */
  sha256: Nullable(Type.String()),
  bytes: Nullable(Type.Integer()),
  durationMs: Nullable(Type.Integer()),
  startedAt: IsoTime,
  endedAt: Nullable(IsoTime),
});
export type AssistRecording = Static<typeof AssistRecording>;

export const AssistSession = Type.Object({
  id: Id,
  roomId: Type.String(),
  siteId: Id,
  ticketId: Nullable(Id),
  reason: Type.String(),
  target: AssistTarget,
  status: Enum(ASSIST_STATUSES),
  requestedBy: Id,
  requestedAt: IsoTime,
  /** Experts rung so far (while ringing), in ring order; any of them may accept. */
  ringing: Type.Array(Id),
  /** When the request escalates to the next expert or level if nobody answers. */
  escalatesAt: Nullable(IsoTime),
  acceptedBy: Nullable(Id),
  acceptedAt: Nullable(IsoTime),
  /** Seconds from request to accept (the 1-minute answer target). */
  answerSeconds: Nullable(Type.Number()),
  endedAt: Nullable(IsoTime),
  endReason: Nullable(Enum(ASSIST_END_REASONS)),
  recorded: Type.Boolean(),
  participants: Type.Array(AssistParticipant),
  recordings: Type.Array(AssistRecording),
  /** Only for the caller allowed into the room, in the responses that let it in. */
  join: Type.Optional(JoinInfo),
});
export type AssistSession = Static<typeof AssistSession>;

export const AssistListQuery = Type.Object(
  {
    status: Type.Optional(Enum(ASSIST_STATUSES)),
    siteId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export const AssistInviteBody = Type.Object({ staffId: Id }, { additionalProperties: false });
export const PresenceBody = Type.Object({ online: Type.Boolean() }, { additionalProperties: false });
export const PresenceView = Type.Object({ staffId: Id, online: Type.Boolean() });

export const VIDEO_EVENT_TYPES = [
  'requested', 'rang', 'accepted', 'invited', 'joined', 'left', 'shareStarted', 'shareStopped',
  'opened', 'ended', 'unanswered', 'quality', 'recordingStarted', 'recordingStored', 'recordingFailed',
] as const;
export type VideoEventType = (typeof VIDEO_EVENT_TYPES)[number];

/** One line of a room's append-only log. */
export const VideoEvent = Type.Object({
  id: Type.Integer(),
  roomId: Type.String(),
  type: Enum(VIDEO_EVENT_TYPES),
  actorKind: Enum(['staff', 'citizen', 'system'] as const),
  /** Staff id, `citizen:<ticketId>`, or null for the system. */
  actorId: Nullable(Type.String()),
  at: IsoTime,
  data: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
export type VideoEvent = Static<typeof VideoEvent>;

/**
 * A renewal after the connection to the media node dropped names that node (`join.media.node` of the join
 * being renewed): it is offered again only when no other media node is live, so a node killed a moment ago is
 * not named while its registry record lives on (up to 3 heartbeats). An unknown id changes nothing.
 */
const LostNode = Type.String({ minLength: 1, maxLength: 128, description: "the media node (`media.node`) whose connection the caller has just lost: offered again only if no other node is live" });
export const TicketJoinQuery = Type.Object({ t: Type.Optional(Type.String({ maxLength: 200 })), lostNode: Type.Optional(LostNode) });
export const JoinRenewQuery = Type.Object({ lostNode: Type.Optional(LostNode) });

// ---------- /hall additions ----------

export const ExpertPresencePayload = Type.Object({ online: Type.Boolean() }, { additionalProperties: false });
export type ExpertPresencePayload = Static<typeof ExpertPresencePayload>;

/**
 * Client → server events the video module adds to `/hall` (bearer token in the handshake `auth.token`).
 * Every signed-in staff socket is in its own `staff:<id>` room and receives `assist.ringing` /
 * `assist.updated` there.
 */
export interface VideoHallClientToServer {
  /** An expert's console: available for assistance requests (`online: true`) or not. Disconnecting = offline. */
  'expert:presence': (
    payload: ExpertPresencePayload,
    ack?: (response: { data: { staffId: string; online: boolean } } | { error: { code: string; message: string } }) => void,
  ) => void;
}
