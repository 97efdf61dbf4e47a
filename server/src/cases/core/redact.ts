/**
 * Free text from citizens and staff (a description, a comment, a reply) often carries a phone or id number.
 * Such numbers are masked before the text is stored, so no list, log or export shows them.
 */
import { maskIdNumber, maskPhone } from '../../lib/personal-data.ts';

// Not preceded or followed by another digit: a longer digit run (an order number) is left alone.
const ID_RE = /(?<!\d)\d{17}[\dXx](?![\dXx])/g;
const MOBILE_RE = /(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)/g;

export function redactPersonalData(text: string): string {
  return text
    .replace(ID_RE, (id) => maskIdNumber(id.toUpperCase()))
    .replace(MOBILE_RE, (_m, a: string, b: string, c: string) => maskPhone(`${a}${b}${c}`));
}
