import { assertUnreachable, type CaseCommand, type CaseStatus } from './types.ts';

export type CaseTransitionResult =
  | { ok: true; to: CaseStatus }
  | { ok: false; error: { code: 'INVALID_TRANSITION'; from: CaseStatus; command: CaseCommand } };

/** What the machine needs to know beyond the status. */
export interface CaseFacts {
  /** Someone is assigned: a rejected result goes back to them. */
  assigned: boolean;
  /** The citizen has had a first reply: a result may only follow a reply. */
  replied: boolean;
}

/**
 * The case state machine. Pure: the service locks the row, asks this, and persists `to` only when `ok`.
 *
 * ```
 * open      —assign→ assigned —reply→ replied —resolve→ resolved —accept→ revisited —close→ closed
 * open      —reply→  replied                       (a supervisor may answer before assigning)
 * assigned  —assign→ assigned   replied —assign→ replied   (reassign)     replied —reply→ replied
 * resolved  —reject→ assigned (or open if nobody is assigned): the citizen does not accept the result
 * open|assigned|replied —escalate→ escalated       (a deadline passed; the sweep)
 * escalated —assign→ assigned | —reply→ replied | —resolve→ resolved (once replied)
 * ```
 */
export function caseTransition(from: CaseStatus, command: CaseCommand, facts: CaseFacts): CaseTransitionResult {
  const to = target(from, command, facts);
  return to === undefined ? { ok: false, error: { code: 'INVALID_TRANSITION', from, command } } : { ok: true, to };
}

function target(from: CaseStatus, command: CaseCommand, facts: CaseFacts): CaseStatus | undefined {
  switch (command) {
    case 'assign':
      if (from === 'open' || from === 'assigned' || from === 'escalated') return 'assigned';
      return from === 'replied' ? 'replied' : undefined;
    case 'reply':
      return from === 'open' || from === 'assigned' || from === 'replied' || from === 'escalated' ? 'replied' : undefined;
    case 'resolve':
      return from === 'replied' || (from === 'escalated' && facts.replied) ? 'resolved' : undefined;
    case 'accept':
      return from === 'resolved' ? 'revisited' : undefined;
    case 'reject':
      return from === 'resolved' ? (facts.assigned ? 'assigned' : 'open') : undefined;
    case 'close':
      return from === 'revisited' ? 'closed' : undefined;
    case 'escalate':
      return from === 'open' || from === 'assigned' || from === 'replied' ? 'escalated' : undefined;
    default:
      return assertUnreachable(command);
  }
}

/** Statuses in which the case is still being worked on: deadlines run. */
export function isActive(status: CaseStatus): boolean {
  switch (status) {
    case 'open':
    case 'assigned':
    case 'replied':
    case 'escalated':
      return true;
    case 'resolved':
    case 'revisited':
    case 'closed':
      return false;
    default:
      return assertUnreachable(status);
  }
}
