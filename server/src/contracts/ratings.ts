/** 好差评: request and response schemas (API.md "Ratings and cases"). */
import { Type, type Static, type TSchema } from 'typebox';
import { Id, IsoTime } from './dto.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Enum = <const V extends string[]>(values: readonly [...V]) => Type.Enum(values);

/** The five national levels, best first: 非常满意 5 … 非常不满意 1. */
export const RATING_LEVELS = [
  { score: 5, level: 'verySatisfied', name: '非常满意' },
  { score: 4, level: 'satisfied', name: '满意' },
  { score: 3, level: 'basicallySatisfied', name: '基本满意' },
  { score: 2, level: 'dissatisfied', name: '不满意' },
  { score: 1, level: 'veryDissatisfied', name: '非常不满意' },
] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number]['level'];
export const RATING_LEVEL_NAMES = RATING_LEVELS.map((l) => l.level) as unknown as readonly RatingLevel[];

/** A score at or below this opens a follow-up case (差评整改). */
export const BAD_RATING_MAX_SCORE = 2;

/** Reasons offered for a low score (the citizen may also write its own). */
export const LOW_SCORE_REASONS = [
  '等候时间长', '办理时间长', '服务态度不好', '一次性告知不清', '材料要求多', '多次跑动', '系统故障', '未能办成',
] as const;

export const RatingCreate = Type.Object({
  score: Type.Integer({ minimum: 1, maximum: 5, description: '5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意' }),
  reasons: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 10, description: `e.g. ${LOW_SCORE_REASONS.join(', ')}` })),
  comment: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
export type RatingCreate = Static<typeof RatingCreate>;

export const RatingCaseRef = Type.Object({ id: Id, number: Type.String(), status: Type.String(), deadlineAt: IsoTime });

export const Rating = Type.Object({
  id: Id,
  siteId: Id,
  ticketId: Nullable(Id),
  assistSessionId: Nullable(Id),
  score: Type.Integer(),
  level: Enum(['verySatisfied', 'satisfied', 'basicallySatisfied', 'dissatisfied', 'veryDissatisfied'] as const),
  levelName: Type.String({ description: '非常满意 … 非常不满意' }),
  reasons: Type.Array(Type.String()),
  comment: Nullable(Type.String({ description: 'phone and id numbers masked' })),
  createdAt: IsoTime,
  /** The follow-up case a score ≤ 2 opened; the citizen follows it with the same access token. */
  case: Nullable(RatingCaseRef),
});
export type Rating = Static<typeof Rating>;

export function ratingLevel(score: number): (typeof RATING_LEVELS)[number] {
  const l = RATING_LEVELS.find((x) => x.score === score);
  if (!l) throw new RangeError(`score must be 1..5, got ${score}`);
  return l;
}
