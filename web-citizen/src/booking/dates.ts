/** Calendar helpers in the site's time zone (a phone abroad still books Shanghai's days). */

export function dateInZone(ms: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** The next `n` calendar days in the zone, starting today. */
export function nextDays(now: number, n: number, timeZone: string): string[] {
  const out: string[] = [];
  // Step by 24 h from local noon-ish so DST-free zones and DST zones both land on each date once.
  for (let i = 0; out.length < n && i < n + 3; i++) {
    const d = dateInZone(now + i * 86_400_000, timeZone);
    if (!out.includes(d)) out.push(d);
  }
  return out;
}

/** `2026-11-23T09:30:00+08:00` → `09:30` (the site-local wall time the server wrote). */
export function wallTime(iso: string): string {
  return iso.slice(11, 16);
}

export function dayLabel(date: string, lang: 'zh' | 'en'): { weekday: string; day: string } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d, 12));
  return {
    weekday: new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { weekday: 'short', timeZone: 'UTC' }).format(dt),
    day: lang === 'zh' ? `${m}月${d}日` : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(dt),
  };
}

export function whenText(startIso: string, endIso: string, lang: 'zh' | 'en'): string {
  const { weekday, day } = dayLabel(startIso.slice(0, 10), lang);
  return `${day} ${weekday} ${wallTime(startIso)}–${wallTime(endIso)}`;
}
