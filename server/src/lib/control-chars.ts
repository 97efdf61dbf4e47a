/**
 * Control characters in inbound text. NUL reaches Postgres as an error (500 before this), and the other C0/C1
 * controls have no place in names, addresses or comments: they hide text in logs and on boards. Tab, line
 * feed and carriage return stay allowed for multi-line free text.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Rationale: a bound on the walk, so a deeply nested hostile payload costs no more than a normal one. */
const MAX_DEPTH = 16;

/** The path (`a.b.0`) of the first string holding a control character, or null when there is none. */
export function findControlChar(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return CONTROL.test(value) ? path || 'value' : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (CONTROL.test(key)) return at;
    const found = findControlChar(inner, at, depth + 1);
    if (found) return found;
  }
  return null;
}
