/**
 * Slot capacity is derived, not typed in: what the windows serving an item can handle in a slot, times the
 * share offered to appointments.
 *
 *   perSlot = windowsServing × slotMinutes ÷ meanHandleMin × appointmentShare
 *
 * `perSlot` is usually fractional. Rounding every slot down would lose up to one place per slot (1.5 → 1
 * loses a third of the day); rounding up would overbook the windows. Instead a day's slots share the
 * fraction: slot i (0-based, in time order) gets floor((i+1)·perSlot) − floor(i·perSlot), so the first
 * k slots together offer exactly floor(k·perSlot) places, never more than the windows can serve.
 *
 * Worked examples (slot capacities of a day, in order):
 * - 2 windows, 30-min slots, 20-min handling, share 0.5 → 1.5 per slot → 1, 2, 1, 2, … (13 slots → 19)
 * - 3 windows, 15-min slots, 12-min handling, share 0.6 → 2.25 per slot → 2, 2, 2, 3, 2, 2, 2, 3, …
 * - 1 window, 30-min slots, 45-min handling, share 0.3 → 0.2 per slot → 0, 0, 0, 0, 1, … (one every 5)
 * - 4 windows, 60-min slots, 20-min handling, share 1 → 12 per slot (all capacity to appointments)
 * - no window serves the item, or share 0 → 0 everywhere: nothing can be booked
 */
export interface CapacityInput {
  /** Windows (physical and virtual) of the site that serve the item. */
  windowsServing: number;
  slotMinutes: number;
  /** Planned handling time of one citizen, in minutes. */
  meanHandleMin: number;
  /** 0…1. */
  appointmentShare: number;
}

/** Rationale: absorbs binary floating-point error (0.1 + 0.2) without ever granting a real extra place. */
const EPSILON = 1e-9;

/** Places per slot before rounding. */
export function capacityPerSlot(input: CapacityInput): number {
  const { windowsServing, slotMinutes, meanHandleMin, appointmentShare } = input;
  if (windowsServing <= 0 || slotMinutes <= 0 || meanHandleMin <= 0 || appointmentShare <= 0) return 0;
  return (windowsServing * slotMinutes * Math.min(1, appointmentShare)) / meanHandleMin;
}

/** Integer capacities of a day's `slotCount` slots in time order (see the module comment). */
export function slotCapacities(input: CapacityInput, slotCount: number): number[] {
  const perSlot = capacityPerSlot(input);
  const out: number[] = [];
  for (let i = 0; i < slotCount; i++) {
    out.push(Math.floor((i + 1) * perSlot + EPSILON) - Math.floor(i * perSlot + EPSILON));
  }
  return out;
}
