/**
 * When a ringing assistance request moves on. Pure: the sweep passes the time, what was rung and who is next.
 *
 * Worked example (ringMs 60 s, giveUpMs 5 min, recheckMs 10 s), request at t=0 with e1, e2 available:
 *   t=0     ring e1                       → next look at t=60 s
 *   t=60 s  e1 did not answer: ring e2    → next look at t=120 s (e1 keeps ringing too)
 *   t=120 s nobody new: wait              → look again every 10 s (an expert coming online is rung at once)
 *   t=300 s still unanswered: give up     → the session ends `unanswered`, the clerk is told.
 */

export interface EscalationPolicy {
  /** How long one expert rings alone before the next is added. */
  ringMs: number;
  /** How often to look again when nobody new is available. */
  recheckMs: number;
  /** After this long unanswered the request ends. */
  giveUpMs: number;
  /** Experts added per step. */
  ringWidth: number;
}

export const DEFAULT_ESCALATION: EscalationPolicy = {
  // Rationale: the service standard is that an expert answers within one minute.
  ringMs: 60_000,
  // Rationale: the sweep runs every 5 s; looking every 10 s rings a newly available expert within ~15 s.
  recheckMs: 10_000,
  // Rationale: a clerk with a citizen at the counter cannot hold them longer; they re-request or refer.
  giveUpMs: 5 * 60_000,
  // Rationale: one at a time, as call centres do, so two experts never rush the same call; the ring set
  // accumulates, so an expert rung earlier can still pick up.
  ringWidth: 1,
};

export type EscalationStep =
  | { kind: 'ring'; staffIds: string[]; tier: number; nextAt: number }
  | { kind: 'wait'; nextAt: number }
  | { kind: 'giveUp' };

export function planEscalation(input: {
  now: number;
  requestedAt: number;
  next: { tier: number; staffIds: string[] } | null;
  policy?: EscalationPolicy;
}): EscalationStep {
  const policy = input.policy ?? DEFAULT_ESCALATION;
  if (input.now - input.requestedAt >= policy.giveUpMs) return { kind: 'giveUp' };
  if (input.next && input.next.staffIds.length > 0) {
    return { kind: 'ring', staffIds: input.next.staffIds, tier: input.next.tier, nextAt: input.now + policy.ringMs };
  }
  return { kind: 'wait', nextAt: Math.min(input.now + policy.recheckMs, input.requestedAt + policy.giveUpMs) };
}
