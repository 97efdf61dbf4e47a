/**
 * Shared vocabulary of the pure queue core. Times are epoch milliseconds everywhere in the core;
 * durations carry their unit in the name (`…Min`).
 */

export type TicketStatus =
  | 'waiting'
  | 'called'
  | 'serving'
  | 'suspended'
  | 'done'
  | 'noShow'
  | 'cancelled'
  | 'transferred';

export type Priority = 'normal' | 'elderly' | 'disabled' | 'pregnant' | 'veteran';
export type Channel = 'kiosk' | 'mobile' | 'appointment' | 'transfer';
export type Complexity = 'general' | 'complex';

export type TicketCommand =
  | 'call'
  | 'recall'
  | 'start'
  | 'finish'
  | 'noShow'
  | 'cancel'
  | 'suspend'
  | 'resume'
  | 'transfer'
  | 'expireSuspension';

/** Every value of the unions above, for exhaustive tests and schema enums. */
export const TICKET_STATUSES: readonly TicketStatus[] = [
  'waiting', 'called', 'serving', 'suspended', 'done', 'noShow', 'cancelled', 'transferred',
];
export const TICKET_COMMANDS: readonly TicketCommand[] = [
  'call', 'recall', 'start', 'finish', 'noShow', 'cancel', 'suspend', 'resume', 'transfer', 'expireSuspension',
];
export const PRIORITIES: readonly Priority[] = ['normal', 'elderly', 'disabled', 'pregnant', 'veteran'];
export const CHANNELS: readonly Channel[] = ['kiosk', 'mobile', 'appointment', 'transfer'];

export interface QueuePolicy {
  /**
   * Priority groups (anything but `normal`) are due after this share of the wait target their ticket would
   * have (then `priorityAdvanceMin` earlier still), never before the target's anchor.
   */
  priorityTargetShare: number;
  /** Minutes by which priority groups are moved forward beyond `priorityTargetShare` (round 1: 10). */
  priorityAdvanceMin: number;
  /** Wait target for walk-ins (kiosk, mobile, transfer), counted from the issue time. */
  defaultWalkInTargetMin: Record<Complexity, number>;
  /** Wait target for appointments, counted from max(check-in, slot start). */
  defaultTargetWaitMin: Record<Complexity, number>;
  defaultTargetHandleMin: number;
  /** How long a suspended ticket keeps its place before it becomes `noShow`. */
  resumeWithinMin: number;
}

/**
 * Rationale: 10/30-minute appointment wait targets and the 20-minute handling target are the figures in
 * API.md (`POST /admin/sites/:siteId/services` defaults). Walk-ins get a looser 30/60 so that a booked
 * citizen who arrives on time is called ahead of someone who just walked in. Priority groups are due within
 * a third of their ticket's target (general walk-in 10 min, complex 20; appointment 3⅓ and 10) instead of
 * jumping the whole queue: anyone already closer to their own deadline still goes first, so a hall full of
 * elderly visitors cannot starve everyone else (an ordinary ticket waits at most its own target plus what
 * was already due before it). A share, not a flat head start: round 1 moved them 10 minutes forward, which
 * was the whole of a general appointment's target but a sixth of a complex walk-in's, and left priority
 * citizens waiting 2.4 min on average at utilisation 0.95 against 0.6 under "priority groups first"; a third
 * brings it to 1.0 with appointments still ≥ 99 % within target (bench:outcomes, bench/RESULTS.md
 * "Outcomes"). Suspensions keep their place 30 minutes, enough to fetch a document from a nearby office.
 */
export const DEFAULT_POLICY: QueuePolicy = Object.freeze({
  priorityTargetShare: 1 / 3,
  priorityAdvanceMin: 0,
  defaultWalkInTargetMin: Object.freeze({ general: 30, complex: 60 }),
  defaultTargetWaitMin: Object.freeze({ general: 10, complex: 30 }),
  defaultTargetHandleMin: 20,
  resumeWithinMin: 30,
});

/** The targets of one service (事项), resolved from its configuration and the policy defaults. */
export interface ServiceTargets {
  complexity: Complexity;
  targetWaitMin: number;
  walkInTargetMin: number;
  targetHandleMin: number;
}

/**
 * Resolves a service's targets: explicit configuration wins, the policy fills the rest.
 * `walkInTargetMin` has no per-service override in API.md, so it always comes from the policy.
 */
export function resolveServiceTargets(
  service: { complexity: Complexity; targetWaitMin?: number | null; targetHandleMin?: number | null },
  policy: QueuePolicy = DEFAULT_POLICY,
): ServiceTargets {
  return {
    complexity: service.complexity,
    targetWaitMin: service.targetWaitMin ?? policy.defaultTargetWaitMin[service.complexity],
    walkInTargetMin: policy.defaultWalkInTargetMin[service.complexity],
    targetHandleMin: service.targetHandleMin ?? policy.defaultTargetHandleMin,
  };
}

/** Compile-time exhaustiveness check for switches over unions; throws if reached at run time (a bug). */
export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}

export const MINUTE_MS = 60_000;
