/**
 * When a citizen may check in, and when a booked appointment counts as missed.
 *
 * Check-in opens `earlyMin` before the slot and closes `lateMin` after its start. The ticket it makes is
 * due at max(checkInAt, slotStart) + targetWaitMin (queue core `computeDueAt`): arriving early earns no
 * place ahead of the slot, arriving late counts from arrival.
 *
 * Worked examples (early 30, late 15; slot 09:00):
 * - 08:29 → too early (opens 08:30); 08:30 → ok; 09:15 → ok; 09:15:01 → too late, the kiosk offers a walk-in.
 * - A booked appointment not checked in becomes `noShow` once check-in has closed (after 09:15).
 */
import { MINUTE_MS } from './types.ts';

export interface CheckInPolicy {
  earlyMin: number;
  lateMin: number;
}

export interface CheckInWindow {
  opensAt: number;
  closesAt: number;
}

export function checkInWindow(slotStart: number, policy: CheckInPolicy): CheckInWindow {
  return { opensAt: slotStart - policy.earlyMin * MINUTE_MS, closesAt: slotStart + policy.lateMin * MINUTE_MS };
}

export type CheckInDecision = { ok: true } | { ok: false; reason: 'early' | 'late'; window: CheckInWindow };

export function decideCheckIn(now: number, slotStart: number, policy: CheckInPolicy): CheckInDecision {
  const window = checkInWindow(slotStart, policy);
  if (now < window.opensAt) return { ok: false, reason: 'early', window };
  if (now > window.closesAt) return { ok: false, reason: 'late', window };
  return { ok: true };
}

/** The moment a booked, unchecked appointment becomes `noShow`: right after check-in closes. */
export function noShowAt(slotStart: number, policy: CheckInPolicy): number {
  return checkInWindow(slotStart, policy).closesAt + 1;
}
