import { assertUnreachable, MINUTE_MS, type Channel, type Priority, type QueuePolicy, type ServiceTargets } from './types.ts';

export interface DueAtInput {
  channel: Channel;
  priority: Priority;
  /** Issue time. A transfer passes the ORIGINAL ticket's issue time, so moving desks costs no place. */
  waitAnchorAt: number;
  /** Appointments: when the citizen checked in (defaults to `waitAnchorAt`). */
  checkInAt?: number;
  /** Appointments: start of the booked slot (defaults to the check-in time). */
  slotStart?: number;
  service: ServiceTargets;
  policy: QueuePolicy;
}

/**
 * `dueAt`: the latest moment the ticket may be called and still meet its wait target. The calling order is
 * earliest-`dueAt`-first, so this one number encodes every fairness rule of the hall.
 *
 * - Walk-ins (`kiosk`, `mobile`, `transfer`): `waitAnchorAt + walkInTargetMin`.
 * - Appointments: `max(checkInAt, slotStart) + targetWaitMin` — arriving early earns nothing, arriving late
 *   counts from arrival.
 * - Priority groups (anything but `normal`): `policy.priorityTargetShare` of the target, less
 *   `policy.priorityAdvanceMin`, but never earlier than the anchor itself (issue time, or max(check-in, slot)
 *   for appointments).
 *
 * Worked examples (DEFAULT_POLICY; general: walk-in 30, appointment 10; complex: walk-in 60, appointment 30;
 * priority groups a third of that):
 * - general appointment, slot 09:00, checked in 08:50 → 09:00 + 10 = **09:10**
 * - the same, checked in 09:05 (late) → 09:05 + 10 = **09:15**
 * - complex appointment, slot 09:00, checked in 08:50 → 09:00 + 30 = **09:30**
 * - general walk-in issued 09:00 → **09:30**; an elderly one → 09:00 + 30 / 3 = **09:10**
 * - elderly complex appointment, slot 09:00 → 09:00 + 30 / 3 = **09:10**
 * - transfer at 09:40 of a ticket first issued 09:00, general target → 09:00 + 30 = **09:30**: already due,
 *   so it is called before everyone who is not overdue too.
 */
export function computeDueAt(input: DueAtInput): number {
  const { service, policy } = input;
  let anchor: number;
  let targetMin: number;
  switch (input.channel) {
    case 'kiosk':
    case 'mobile':
    case 'transfer':
      anchor = input.waitAnchorAt;
      targetMin = service.walkInTargetMin;
      break;
    case 'appointment': {
      const checkIn = input.checkInAt ?? input.waitAnchorAt;
      anchor = Math.max(checkIn, input.slotStart ?? checkIn);
      targetMin = service.targetWaitMin;
      break;
    }
    default:
      return assertUnreachable(input.channel);
  }
  if (input.priority !== 'normal') targetMin = targetMin * policy.priorityTargetShare - policy.priorityAdvanceMin;
  // Whole milliseconds: a third of 10 minutes is not one in binary floating point.
  return anchor + Math.round(Math.max(0, targetMin) * MINUTE_MS);
}
