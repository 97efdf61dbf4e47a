/** Vocabulary of cases (办不成事 reports, bad ratings, complaints). Times are epoch milliseconds. */

export const CASE_KINDS = ['cannotBeDone', 'badRating', 'complaint'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export const CASE_STATUSES = ['open', 'assigned', 'replied', 'resolved', 'revisited', 'closed', 'escalated'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * `accept` / `reject` are the two outcomes of a revisit (回访): the citizen (or a supervisor recording a phone
 * revisit) confirms the result or rejects it. `escalate` is the sweep's, when a deadline passes.
 */
export const CASE_COMMANDS = ['assign', 'reply', 'resolve', 'accept', 'reject', 'close', 'escalate'] as const;
export type CaseCommand = (typeof CASE_COMMANDS)[number];

/** Time limits of one kind, in working days after receipt (0 = the day of receipt). */
export interface CaseTimeLimits {
  replyWorkingDays: number;
  resolveWorkingDays: number;
  /** For cases flagged complex (a complex item, several departments involved). */
  complexResolveWorkingDays: number;
}

export interface CasePolicy {
  limits: Readonly<Record<CaseKind, CaseTimeLimits>>;
  /** Minutes before a deadline at which staff are warned. */
  warnBeforeMin: number;
}

/**
 * Rationale: a 办不成事 report is answered the same working day and settled within 5 working days (10 when
 * complex), the limits the issue names and many provincial 办不成事 window rules use; bad ratings and
 * complaints are first answered (回访核实) within 1 working day, since the citizen has usually left the hall.
 * A warning 4 hours ahead leaves half a working day to act.
 */
export const DEFAULT_CASE_POLICY: CasePolicy = Object.freeze({
  limits: Object.freeze({
    cannotBeDone: Object.freeze({ replyWorkingDays: 0, resolveWorkingDays: 5, complexResolveWorkingDays: 10 }),
    badRating: Object.freeze({ replyWorkingDays: 1, resolveWorkingDays: 5, complexResolveWorkingDays: 10 }),
    complaint: Object.freeze({ replyWorkingDays: 1, resolveWorkingDays: 5, complexResolveWorkingDays: 10 }),
  }),
  warnBeforeMin: 240,
});

export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
