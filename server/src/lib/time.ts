/** Time-zone arithmetic with Intl only: sites keep their own zone (default Asia/Shanghai). */

const partsCache = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

export interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

function partsViaIntl(ms: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year ?? 0, month: out.month ?? 0, day: out.day ?? 0, hour: out.hour ?? 0, minute: out.minute ?? 0, second: out.second ?? 0 };
}

function offsetViaIntl(ms: number, timeZone: string): number {
  const p = partsViaIntl(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

const MINUTE = 60_000;
/** Rationale: every zone in use today changes offset on a quarter hour of UTC (offsets are whole quarters). */
const QUARTER_HOUR = 15 * MINUTE;
const MAX_REMEMBERED = 50_000;
/**
 * Offsets by zone and quarter hour. Intl's formatToParts costs microseconds and every API time goes
 * through here (a sweep formats thousands of deadlines spread over an hour), so each quarter hour is
 * asked once.
 */
const offsetByQuarter = new Map<string, Map<number, number>>();

/** The zone's offset from UTC at that instant, in minutes (Asia/Shanghai: +480). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const quarter = Math.floor(ms / QUARTER_HOUR);
  let known = offsetByQuarter.get(timeZone);
  if (!known) offsetByQuarter.set(timeZone, (known = new Map()));
  const hit = known.get(quarter);
  if (hit !== undefined) return hit;
  const offset = offsetViaIntl(ms, timeZone);
  if (known.size >= MAX_REMEMBERED) known.clear();
  known.set(quarter, offset);
  return offset;
}

/** Wall-clock fields of an instant in a zone. */
export function localParts(ms: number, timeZone: string): LocalParts {
  const d = new Date(ms + offsetMinutes(ms, timeZone) * MINUTE);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of the site's local day. */
export function localDate(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** ISO-8601 with the zone's offset, as the API speaks: `2026-11-23T09:00:00+08:00`. */
export function isoInZone(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  const off = offsetMinutes(ms, timeZone);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The instant of a local wall-clock time in a zone (e.g. 09:00 on 2026-11-23 in Asia/Shanghai). */
export function zonedTimeToMs(date: string, time: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  // Two passes settle the offset across a DST change (zones without DST settle in one).
  let ms = guess - offsetMinutes(guess, timeZone) * 60_000;
  ms = guess - offsetMinutes(ms, timeZone) * 60_000;
  return ms;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
