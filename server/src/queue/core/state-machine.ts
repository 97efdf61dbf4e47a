import { assertUnreachable, type TicketCommand, type TicketStatus } from './types.ts';

export type TransitionResult =
  | { ok: true; to: TicketStatus }
  | { ok: false; error: { code: 'INVALID_TRANSITION'; from: TicketStatus; command: TicketCommand } };

/**
 * The ticket state machine of API.md. Pure: the service layer locks the row, calls this, and persists
 * `to` only when `ok`. Anything not listed is `INVALID_TRANSITION` and changes nothing.
 *
 * ```
 * waiting  —call→      called —start→ serving —finish→ done
 * called   —recall→    called        (same window; the first call time stays the SLA measure)
 * called   —noShow→    noShow
 * waiting|called —cancel→ cancelled
 * serving  —suspend→   suspended —resume→ serving
 * suspended —expireSuspension→ noShow   (unresumed after resumeWithinMin)
 * called|serving —transfer→ transferred (the caller creates the follow-up ticket)
 * ```
 */
export function transition(from: TicketStatus, command: TicketCommand): TransitionResult {
  const to = target(from, command);
  return to === undefined
    ? { ok: false, error: { code: 'INVALID_TRANSITION', from, command } }
    : { ok: true, to };
}

function target(from: TicketStatus, command: TicketCommand): TicketStatus | undefined {
  switch (command) {
    case 'call':
      return from === 'waiting' ? 'called' : undefined;
    case 'recall':
      return from === 'called' ? 'called' : undefined;
    case 'start':
      return from === 'called' ? 'serving' : undefined;
    case 'finish':
      return from === 'serving' ? 'done' : undefined;
    case 'noShow':
      return from === 'called' ? 'noShow' : undefined;
    case 'cancel':
      return from === 'waiting' || from === 'called' ? 'cancelled' : undefined;
    case 'suspend':
      return from === 'serving' ? 'suspended' : undefined;
    case 'resume':
      return from === 'suspended' ? 'serving' : undefined;
    case 'transfer':
      return from === 'called' || from === 'serving' ? 'transferred' : undefined;
    case 'expireSuspension':
      return from === 'suspended' ? 'noShow' : undefined;
    default:
      return assertUnreachable(command);
  }
}

/** True for statuses no command leaves: the ticket's story is over. */
export function isTerminal(status: TicketStatus): boolean {
  switch (status) {
    case 'done':
    case 'noShow':
    case 'cancelled':
    case 'transferred':
      return true;
    case 'waiting':
    case 'called':
    case 'serving':
    case 'suspended':
      return false;
    default:
      return assertUnreachable(status);
  }
}
