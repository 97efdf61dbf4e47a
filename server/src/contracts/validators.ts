/**
 * Pure checks and masks of citizen personal data, shared by the server and the web apps' forms (no Node
 * imports: this file is bundled into the browser). Storage-side helpers (hashing) stay in lib/personal-data.ts.
 */

/** GB 11643-1999 weights and check characters for the 18-digit resident identity number. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** `now` bounds the birth date: nobody holding a number was born after today (UTC, a day's slack). */
export function isValidResidentId(id: string, now: number = Date.now()): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] ?? 0);
  if (ID_CHECK[sum % 11] !== id[17]) return false;
  // The birth date (positions 7–14) must be a real date.
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  // Rationale: one day of slack, since the birth date is local (China, UTC+8) and `now` is UTC.
  const notFuture = date.getTime() <= now + 24 * 3600_000;
  return y >= 1900 && notFuture && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Mainland mobile numbers: 11 digits starting 1[3-9]. An optional +86 / 86 prefix is accepted. */
export function normalizeMobile(phone: string): string | null {
  const digits = phone.replace(/[\s-]/g, '').replace(/^(\+?86)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

export function isValidName(name: string): boolean {
  const trimmed = name.trim();
  // Rationale: Chinese names are 2–4 characters, minority and foreign names longer; 1–40 with letters,
  // Han characters, the middle dot of transliterated names, and spaces.
  return trimmed.length >= 1 && trimmed.length <= 40 && /^[\p{Script=Han}A-Za-z·• .'-]+$/u.test(trimmed);
}

/** 张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜, John Smith → J********h. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** 310101199001011234 → 3101**********1234. */
export function maskIdNumber(id: string): string {
  return `${id.slice(0, 4)}${'*'.repeat(Math.max(0, id.length - 8))}${id.slice(-4)}`;
}

/** 13812345678 → 138****5678. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}
