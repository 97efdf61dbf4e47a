/** 办不成事 reports, bad ratings and complaints as tracked cases (API.md "Ratings and cases"). */
import { Type, type Static, type TSchema } from 'typebox';
import { Id, IsoTime } from './dto.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Enum = <const V extends string[]>(values: readonly [...V]) => Type.Enum(values);

export const CASE_KINDS = ['cannotBeDone', 'badRating', 'complaint'] as const;
export const CASE_STATUSES = ['open', 'assigned', 'replied', 'resolved', 'revisited', 'closed', 'escalated'] as const;
export const CASE_SOURCES = ['citizen', 'staff', 'rating'] as const;

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const CaseCreate = Type.Object({
  siteId: Id,
  kind: Enum(CASE_KINDS),
  description: Text(2000),
  contact: Type.Object({
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    phone: Type.String({ minLength: 1, maxLength: 20, description: 'mainland mobile; stored masked and sealed for the revisit call' }),
  }, { additionalProperties: false }),
  serviceId: Type.Optional(Id),
  /** The ticket the report is about, when there is one. */
  ticketId: Type.Optional(Id),
}, { additionalProperties: false });
export type CaseCreate = Static<typeof CaseCreate>;

export const CaseEvent = Type.Object({
  type: Type.String({ description: 'opened, assigned, replied, resolved, accepted, rejected, closed, warned, escalated' }),
  fromStatus: Nullable(Enum(CASE_STATUSES)),
  toStatus: Enum(CASE_STATUSES),
  actorKind: Enum(['staff', 'citizen', 'system'] as const),
  /** Staff views only. */
  actorId: Nullable(Id),
  at: IsoTime,
  note: Nullable(Type.String()),
});

export const Case = Type.Object({
  id: Id,
  number: Type.String({ description: 'e.g. BC202611230007: BC 办不成事, CP 差评, TS 投诉 + local date + sequence' }),
  siteId: Id,
  kind: Enum(CASE_KINDS),
  status: Enum(CASE_STATUSES),
  complex: Type.Boolean(),
  source: Enum(CASE_SOURCES),
  description: Type.String({ description: 'phone and id numbers masked' }),
  serviceId: Nullable(Id),
  ticketId: Nullable(Id),
  ratingId: Nullable(Id),
  contact: Type.Object({ name: Nullable(Type.String()), phone: Nullable(Type.String()) }, { description: 'masked' }),
  /** Staff views only. */
  assigneeId: Nullable(Id),
  openedAt: IsoTime,
  /** The first reply is due by then (same working day for 办不成事). */
  replyDueAt: IsoTime,
  /** Resolution deadline, in working days. */
  deadlineAt: IsoTime,
  firstRepliedAt: Nullable(IsoTime),
  reply: Nullable(Type.String()),
  resolvedAt: Nullable(IsoTime),
  resolution: Nullable(Type.String()),
  revisitedAt: Nullable(IsoTime),
  revisitOutcome: Nullable(Enum(['accepted', 'rejected'] as const)),
  closedAt: Nullable(IsoTime),
  /** The resolution deadline passed before (or without) a resolution. */
  overdue: Type.Boolean(),
  events: Type.Optional(Type.Array(CaseEvent)),
  /** Only in the creation response: lets the citizen follow the case and answer the revisit. */
  accessToken: Type.Optional(Type.String()),
});
export type Case = Static<typeof Case>;

export const CaseListQuery = Type.Object({
  siteId: Type.Optional(Id),
  status: Type.Optional(Enum(CASE_STATUSES)),
  kind: Type.Optional(Enum(CASE_KINDS)),
  assigneeId: Type.Optional(Id),
  overdue: Type.Optional(Type.Boolean()),
  includeChildren: Type.Optional(Type.Boolean({ description: 'with siteId: the sites below it too' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
}, { additionalProperties: false });
export type CaseListQuery = Static<typeof CaseListQuery>;

export const CaseList = Type.Object({ items: Type.Array(Case), total: Type.Integer() });

export const CaseAssignBody = Type.Object({
  assigneeId: Id,
  /** Flag the case complex: the resolution limit becomes the complex one, counted from opening. */
  complex: Type.Optional(Type.Boolean()),
  note: Type.Optional(Text(500)),
}, { additionalProperties: false });
export const CaseReplyBody = Type.Object({ message: Text(2000) }, { additionalProperties: false });
export const CaseResolveBody = Type.Object({ resolution: Text(2000) }, { additionalProperties: false });
/** The citizen (its access token) or a supervisor recording a phone revisit (回访). */
export const CaseRevisitBody = Type.Object({ accepted: Type.Boolean(), comment: Type.Optional(Text(500)) }, { additionalProperties: false });
export const CaseCloseBody = Type.Object({ note: Type.Optional(Text(500)) }, { additionalProperties: false });
