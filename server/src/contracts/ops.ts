/** Operations: service statistics and the staffing planner (API.md "Operations"). */
import { Type, type Static, type TSchema } from 'typebox';
import { Id, IsoDate, IsoTime } from './dto.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Ratio = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
const Min = Nullable(Type.Number());

export const StatsQuery = Type.Object({
  from: Type.Optional(IsoDate),
  to: Type.Optional(IsoDate),
  includeChildren: Type.Optional(Type.Boolean({ description: 'roll up the sites below this one' })),
}, { additionalProperties: false });
export type StatsQuery = Static<typeof StatsQuery>;

const TicketFigures = {
  tickets: Type.Integer(),
  served: Type.Integer(),
  noShows: Type.Integer(),
  cancelled: Type.Integer(),
  transferred: Type.Integer(),
  avgWaitMin: Min,
  p90WaitMin: Min,
  waitSlaMet: Ratio,
  handleSlaMet: Ratio,
  meanHandleMin: Min,
};

export const RatingFigures = Type.Object({
  count: Type.Integer(),
  avg: Nullable(Type.Number()),
  bad: Type.Integer({ description: 'score ≤ 2' }),
  byScore: Type.Object({ 1: Type.Integer(), 2: Type.Integer(), 3: Type.Integer(), 4: Type.Integer(), 5: Type.Integer() }),
});

/** The estimate given at issue against the actual wait. */
const EstimateFigures = Type.Object({
  count: Type.Integer(),
  maeMin: Min,
  biasMin: Nullable(Type.Number({ description: 'mean of estimate − actual wait, minutes. Positive: we said longer than it took (citizens were called sooner than told); negative: citizens waited longer than told' })),
  rangeShown: Type.Integer({ description: 'of those, the tickets whose screen showed a range at issue (etaMinutesHigh ≥ 2 and above etaMinutesLow, with "about 8 in 10 are called within this time"); those told "now" (high ≤ 1) were promised no range' }),
  shareInRange: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'share of the rangeShown tickets whose wait fell inside the range given at issue (low–high, ±0.5 min; rows from before the low edge was kept: estimate–high): what the citizen\'s screen promises, about 0.8; null without any. Days rolled up before this was counted give no figure' })),
});

export const StatsView = Type.Object({
  siteId: Id,
  siteIds: Type.Array(Id),
  from: IsoDate,
  to: IsoDate,
  generatedAt: IsoTime,
  ...TicketFigures,
  byService: Type.Array(Type.Object({ serviceId: Id, name: Type.String(), ...TicketFigures })),
  byWindow: Type.Array(Type.Object({ windowId: Id, number: Nullable(Type.Integer()), name: Type.String(), calls: Type.Integer(), served: Type.Integer(), meanHandleMin: Min })),
  clerks: Type.Array(Type.Object({ staffId: Id, displayName: Type.String(), calls: Type.Integer(), served: Type.Integer(), meanHandleMin: Min, idleShare: Ratio })),
  bySite: Type.Optional(Type.Array(Type.Object({ siteId: Id, name: Type.String(), ...TicketFigures }))),
  waitEstimate: Type.Object({
    ...EstimateFigures.properties,
    updates: Type.Object(
      {
        count: Type.Integer({ description: 'ranges shown to citizens after issue (each ticket and range once), of tickets since called' }),
        maeMin: Min,
        biasMin: Nullable(Type.Number({ description: 'mean of estimate − remaining wait, minutes. Positive: we said longer than it took; negative: citizens waited longer than told' })),
        rangeShown: Type.Integer({ description: 'of those, the updates the screen showed as a range (high ≥ 2 min, above low)' }),
        shareInRange: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'share of the rangeShown updates whose remaining wait fell inside the range (±0.5 min)' })),
      },
      { description: "the estimates a citizen's phone showed after issue, each against the wait from then to the call" },
    ),
  }, { description: 'the wait estimate given at issue against the actual wait, and (updates) those shown later' }),
  ratings: RatingFigures,
  cases: Type.Object({
    count: Type.Integer({ description: 'opened in the range' }),
    open: Type.Integer({ description: 'of those, not yet resolved' }),
    overdue: Type.Integer({ description: 'resolved after, or unresolved past, their deadline' }),
    replyOverdue: Type.Integer(),
    meanReplyMin: Min,
    byKind: Type.Object({ cannotBeDone: Type.Integer(), badRating: Type.Integer(), complaint: Type.Integer() }),
  }),
  /** Days served from the nightly roll-up; the rest were computed live. */
  rolledUpDays: Type.Integer(),
});
export type StatsView = Static<typeof StatsView>;

export const StaffingPlanQuery = Type.Object({
  date: Type.Optional(IsoDate),
  serviceLevel: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.9 })),
  arrivalsPerHour: Type.Optional(Type.Number({ minimum: 0, maximum: 2000 })),
  meanHandleMin: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 480 })),
  targetWaitMin: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 480 })),
  engine: Type.Optional(Type.Enum(['simulation', 'erlangC'] as const, { description: 'simulation (default): Erlang C corrected by simulating the real calling policy; erlangC: the closed form only' })),
}, { additionalProperties: false });
export type StaffingPlanQuery = Static<typeof StaffingPlanQuery>;

export const StaffingPlanView = Type.Object({
  siteId: Id,
  date: IsoDate,
  serviceLevel: Type.Number(),
  engine: Type.Enum(['simulation', 'erlangC'] as const),
  /** Where the figures come from: weeks of history averaged, bookings counted, what-if overrides. */
  basis: Type.Object({
    historyDays: Type.Integer({ description: 'past same-weekday days with tickets that were averaged' }),
    appointments: Type.Integer({ description: 'bookings already made for the date' }),
    whatIf: Type.Boolean(),
  }),
  hours: Type.Array(Type.Object({
    hour: Type.Integer({ minimum: 0, maximum: 23 }),
    expectedArrivals: Type.Number(),
    meanHandleMin: Type.Number(),
    windowsNeeded: Type.Integer(),
    expectedShareWithinTarget: Type.Number(),
    badDayShareWithinTarget: Nullable(Type.Number({ description: 'share within target on a bad day: the 10th percentile over the simulated days (null with engine erlangC)' })),
    expectedMeanWaitMin: Nullable(Type.Number()),
  })),
});
export type StaffingPlanView = Static<typeof StaffingPlanView>;
