/**
 * Control characters in inbound text. NUL reaches Postgres as an error (500 before this), and the other C0/C1
 * controls have no place in names, addresses or comments: they hide text in logs and on boards. Tab, line
 * feed and carriage return stay allowed for multi-line free text.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * Rationale: a bound on the walk, so a deeply nested hostile payload costs no more than a normal one; no
 * payload of the contract nests half as deep (media signalling's RTP parameters, the deepest, reach 5).
 */
export const MAX_DEPTH = 16;

export interface TextProblem {
  /** Where (`a.b.0`): the string or key holding a control character, or the value nested too deeply. */
  field: string;
  reason: 'control characters are not allowed' | 'nested too deeply';
}

/**
 * The first string (value or key) holding a control character, or the first value nested deeper than
 * MAX_DEPTH, which is refused as well: what is not walked cannot be let through unchecked.
 */
export function findTextProblem(value: unknown, path = '', depth = 0): TextProblem | null {
  if (typeof value === 'string') return CONTROL.test(value) ? { field: path || 'value', reason: 'control characters are not allowed' } : null;
  if (value === null || typeof value !== 'object') return null;
  if (depth > MAX_DEPTH) return { field: path || 'value', reason: 'nested too deeply' };
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (CONTROL.test(key)) return { field: at, reason: 'control characters are not allowed' };
    const found = findTextProblem(inner, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The path of the first string holding a control character (or of a value nested too deeply), or null. */
export function findControlChar(value: unknown): string | null {
  return findTextProblem(value)?.field ?? null;
}
