/**
 * Request and response schemas of the public API (API.md). Declared once: each validates the HTTP body,
 * types the handler, feeds OpenAPI, and validates forms in the web apps.
 */
import { Type, type Static, type TSchema } from 'typebox';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Id = Type.String({ pattern: UUID_PATTERN, description: 'UUID' });
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO-8601 with offset' });
// `format: 'date'` makes it a date of the calendar too: 2026-02-30 is refused, not answered with nothing.
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', description: 'YYYY-MM-DD' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Enum = <const V extends string[]>(values: readonly [...V]) => Type.Enum(values);

export const ErrorBodySchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) }),
});

export const IdParams = Type.Object({ id: Id });

/** A retry-safe create (ticket issue, booking): the same key and body give the first answer again. */
export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' })) });
export const SiteParams = Type.Object({ siteId: Id });
export const WindowParams = Type.Object({ windowId: Id });

// ---------- auth ----------
export const ROLES = ['admin', 'supervisor', 'clerk', 'expert'] as const;
export type Role = (typeof ROLES)[number];
/** The 6-digit code of an authenticator app (TOTP, RFC 6238), for accounts that enabled a second factor. */
export const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'authenticator code (TOTP), 6 digits' });
export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  /** Required (TOTP_REQUIRED otherwise) when the account has a second factor. */
  totp: Type.Optional(TotpCode),
});
export type LoginBody = Static<typeof LoginBody>;
/** Sign in and set a new password at once: the way past PASSWORD_CHANGE_REQUIRED, or an ordinary change. */
export const PasswordChangeBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  totp: Type.Optional(TotpCode),
  newPassword: Type.String({ minLength: 12, maxLength: 256, description: 'at least 12 characters, not a published default, not the username' }),
});
/** An administrator sets a staff member's password (a locked published one, a forgotten one). */
export const StaffPasswordReset = Type.Pick(PasswordChangeBody, ['newPassword']);
export const TotpSetupResponse = Type.Object({
  /** base32 key to type into an authenticator app. */
  secret: Type.String(),
  /** `otpauth://` URI to show as a QR code. */
  uri: Type.String(),
});
export const TotpCodeBody = Type.Object({ code: TotpCode });
export const StaffUser = Type.Object({
  id: Id,
  username: Type.String(),
  displayName: Type.String(),
  role: Enum(ROLES),
  siteIds: Type.Array(Id),
  skills: Type.Array(Type.String()),
});
export type StaffUser = Static<typeof StaffUser>;
export const LoginResponse = Type.Object({ token: Type.String(), expiresAt: IsoTime, user: StaffUser });

// ---------- sites, services, windows, staff ----------
export const SITE_LEVELS = ['district', 'subcentre', 'community', 'village', 'crossProvince'] as const;
export type SiteLevel = (typeof SITE_LEVELS)[number];
export const SiteCreate = Type.Object({
  code: Type.String({ pattern: '^[A-Za-z0-9_-]{2,32}$' }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  level: Enum(SITE_LEVELS),
  parentCode: Type.Optional(Type.String({ maxLength: 32 })),
  region: Type.String({ pattern: '^[A-Z]{2}-[A-Z]{2,3}$', description: 'e.g. SH-QP, JS-WJ, ZJ-JS' }),
  timeZone: Type.Optional(Type.String({ minLength: 3, maxLength: 64 })),
  address: Type.Optional(Type.String({ maxLength: 200 })),
  location: Type.Optional(Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) })),
});
export const Site = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  level: Enum(SITE_LEVELS),
  parentId: Nullable(Id),
  region: Type.String(),
  timeZone: Type.String(),
  address: Nullable(Type.String()),
  location: Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number() })),
});
export type Site = Static<typeof Site>;
/** GET /sites: the tree, each node with its live waiting count. (Recursive, so typed here, not schema-checked.) */
export interface SiteTreeNode extends Site {
  waiting: number;
  children: SiteTreeNode[];
}

export const COMPLEXITIES = ['general', 'complex'] as const;
export const ServiceCreate = Type.Object({
  code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  category: Type.String({ pattern: '^[A-Z]{1,2}$', description: 'ticket number prefix and board group, e.g. A' }),
  complexity: Enum(COMPLEXITIES),
  targetWaitMin: Type.Optional(Type.Integer({ minimum: 1, maximum: 480 })),
  targetHandleMin: Type.Optional(Type.Integer({ minimum: 1, maximum: 480 })),
  walkInTargetMin: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  materialsNote: Type.Optional(Type.String({ maxLength: 2000 })),
  pinyin: Type.Optional(Type.String({ pattern: '^[a-z]{0,32}$' })),
});
export const Service = Type.Object({
  id: Id,
  siteId: Id,
  code: Type.String(),
  name: Type.String(),
  category: Type.String(),
  complexity: Enum(COMPLEXITIES),
  targetWaitMin: Type.Integer(),
  targetHandleMin: Type.Integer(),
  walkInTargetMin: Type.Integer(),
  materialsNote: Nullable(Type.String()),
  pinyin: Nullable(Type.String()),
});
export type Service = Static<typeof Service>;

export const WINDOW_KINDS = ['physical', 'virtual'] as const;
export const WindowCreate = Type.Object({
  number: Type.Integer({ minimum: 1, maximum: 999 }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Enum(WINDOW_KINDS),
  serviceIds: Type.Array(Id, { minItems: 1, maxItems: 200 }),
});
export const Window = Type.Object({
  id: Id,
  siteId: Id,
  number: Type.Integer(),
  name: Type.String(),
  kind: Enum(WINDOW_KINDS),
  status: Enum(['open', 'closed'] as const),
  clerkId: Nullable(Id),
  serviceIds: Type.Array(Id),
});
export type Window = Static<typeof Window>;

export const StaffCreate = Type.Object({
  username: Type.String({ pattern: '^[A-Za-z0-9_.-]{3,64}$' }),
  password: Type.String({ minLength: 8, maxLength: 256 }),
  displayName: Type.String({ minLength: 1, maxLength: 64 }),
  role: Enum(ROLES),
  siteIds: Type.Array(Id, { maxItems: 100 }),
  skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 50 })),
});

// ---------- tickets ----------
export const TICKET_STATUSES = ['waiting', 'called', 'serving', 'suspended', 'done', 'noShow', 'cancelled', 'transferred'] as const;
export const PRIORITIES = ['normal', 'elderly', 'disabled', 'pregnant', 'veteran'] as const;
export const CHANNELS = ['kiosk', 'mobile', 'appointment', 'transfer'] as const;
export const CitizenInput = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  idNumber: Type.Optional(Type.String({ maxLength: 18 })),
  phone: Type.Optional(Type.String({ maxLength: 20 })),
});
export type CitizenInput = Static<typeof CitizenInput>;
export const TicketCreate = Type.Object({
  serviceId: Id,
  channel: Enum(['kiosk', 'mobile'] as const),
  priority: Type.Optional(Enum(PRIORITIES)),
  citizen: Type.Optional(CitizenInput),
});
/**
 * Where a browser reaches media signalling: socket.io namespace `/media` at `url` (null: the page's own
 * origin) over `path`. Embedded, media is beside everything else (`null`, `/socket.io`); in the production
 * shape a proxy routes its own path (e.g. `/media-io`) to the media node.
 */
export const MediaEndpoint = Type.Object({
  url: Nullable(Type.String({ description: 'origin to connect to; null = the origin of the page' })),
  path: Type.String({ description: "socket.io path, e.g. '/socket.io' or '/media-io'" }),
  node: Type.Optional(Type.String({ description: 'the media node chosen for this participant (rooms may span nodes); absent with a single media node' })),
  region: Type.Optional(Type.String({ description: "that node's region, e.g. 'SH-QP'" })),
});
export type MediaEndpoint = Static<typeof MediaEndpoint>;
export const JoinInfo = Type.Object({ roomId: Type.String(), token: Type.String(), expiresAt: IsoTime, media: MediaEndpoint });
export type JoinInfo = Static<typeof JoinInfo>;
export const Ticket = Type.Object({
  id: Id,
  siteId: Id,
  serviceId: Id,
  number: Type.String(),
  status: Enum(TICKET_STATUSES),
  priority: Enum(PRIORITIES),
  channel: Enum(CHANNELS),
  issuedAt: IsoTime,
  dueAt: IsoTime,
  position: Nullable(Type.Integer()),
  etaMinutes: Nullable(Type.Integer({ description: 'likely minutes until the call; null while no open window can serve the ticket' })),
  etaMinutesLow: Nullable(Type.Integer({ description: "the wait range's low edge (minutes); about 8 in 10 citizens shown a range (etaMinutesHigh ≥ 2, above etaMinutesLow; below that the screen says “soon”) are called inside etaMinutesLow–etaMinutesHigh" })),
  etaMinutesHigh: Nullable(Type.Integer({ description: "the wait range's high edge (minutes)" })),
  windowId: Nullable(Id),
  windowNumber: Nullable(Type.Integer()),
  calledAt: Nullable(IsoTime),
  startedAt: Nullable(IsoTime),
  finishedAt: Nullable(IsoTime),
  appointmentId: Nullable(Id),
  transferredFromId: Nullable(Id),
  transferredToId: Type.Optional(Id),
  citizen: Nullable(Type.Object({ name: Nullable(Type.String()), idNumber: Nullable(Type.String()), phone: Nullable(Type.String()) }, { description: 'masked' })),
  accessToken: Type.Optional(Type.String({ description: 'only in the creation response' })),
  join: Type.Optional(JoinInfo),
});
export type Ticket = Static<typeof Ticket>;
export const FinishBody = Type.Object({
  outcome: Type.Optional(Enum(['completed', 'incomplete', 'rejected', 'referred'] as const)),
  note: Type.Optional(Type.String({ maxLength: 500 })),
});
export const SuspendBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }), resumeWithinMin: Type.Optional(Type.Integer({ minimum: 1, maximum: 240 })) });
export const TransferBody = Type.Object({ serviceId: Type.Optional(Id), windowId: Type.Optional(Id) });
export const QueueEntry = Type.Object({
  id: Id,
  number: Type.String(),
  serviceId: Id,
  priority: Enum(PRIORITIES),
  channel: Enum(CHANNELS),
  issuedAt: IsoTime,
  dueAt: IsoTime,
  targetWindowId: Nullable(Id),
});
export const QueueView = Type.Object({
  siteId: Id,
  waiting: Type.Array(QueueEntry),
  byService: Type.Array(Type.Object({ serviceId: Id, waiting: Type.Integer() })),
});
export const BoardView = Type.Object({
  siteId: Id,
  siteName: Type.String(),
  now: IsoTime,
  seq: Type.Integer(),
  recentCalls: Type.Array(Type.Object({ ticketId: Id, number: Type.String(), windowNumber: Type.Integer(), windowName: Type.String(), calledAt: IsoTime, citizenName: Nullable(Type.String()) })),
  waiting: Type.Record(Type.String(), Type.Integer()),
});
export const HealthView = Type.Object({ status: Enum(['ok', 'degraded'] as const), db: Enum(['up', 'down'] as const), redis: Enum(['up', 'down', 'none'] as const) });
