/** Times as a hall reads them: in the site's zone, minutes rounded down, never negative durations. */
export const HALL_TZ = 'Asia/Shanghai';
export const MINUTE = 60_000;

export function clockTime(iso: string | number | Date, withSeconds = false): string {
  return new Date(iso).toLocaleTimeString('zh-CN', { timeZone: HALL_TZ, hour12: false, hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}) });
}

export function minutesBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / MINUTE));
}

/** Today's date in the hall's zone, YYYY-MM-DD. */
export function hallDate(ms = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: HALL_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || Number.isNaN(ratio) ? '—' : `${Math.round(ratio * 100)}%`;
}

/**
 * Deadline risk of a waiting ticket: `late` past its due time, `soon` within a quarter of its target (at
 * least two minutes, the server's own at-risk warning horizon), otherwise `ok`.
 */
export type Risk = 'ok' | 'soon' | 'late';
export function deadlineRisk(issuedAt: string, dueAt: string, now: number): Risk {
  const due = Date.parse(dueAt);
  if (now > due) return 'late';
  const target = due - Date.parse(issuedAt);
  return due - now <= Math.max(2 * MINUTE, target / 4) ? 'soon' : 'ok';
}

/** CSV with a BOM so Excel opens Chinese text correctly. */
export function toCsv(rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
