/**
 * Citizen personal data: validated when given, stored minimally (masked forms plus a keyed hash of the id
 * number for matching), never logged or broadcast.
 */
import { createHmac } from 'node:crypto';

// The pure checks and masks live in contracts (shared with the web apps' forms); re-exported for server code.
import { isValidName, isValidResidentId, maskIdNumber, maskName, maskPhone, normalizeMobile } from '../contracts/validators.ts';
export { isValidName, isValidResidentId, maskIdNumber, maskName, maskPhone, normalizeMobile };

/** Keyed hash: matches the same person across bookings without keeping the number. */
export function hashIdNumber(id: string, secret: string): string {
  return createHmac('sha256', secret).update(`id:${id.toUpperCase()}`).digest('base64url');
}

export interface CitizenFieldsIn { name?: string | undefined; idNumber?: string | undefined; phone?: string | undefined }
export interface CitizenStored {
  nameMasked: string | null;
  idHash: string | null;
  idMasked: string | null;
  phoneMasked: string | null;
  /** Normalised phone, only for callers that must keep it (appointment reminders). */
  phone: string | null;
}

export type CitizenCheck = { ok: true; value: CitizenStored } | { ok: false; field: string; reason: string };

/** Validates what was given and reduces it to what may be stored. Absent fields stay absent. */
export function checkCitizen(input: CitizenFieldsIn | undefined, secret: string, required: readonly ('name' | 'idNumber' | 'phone')[] = []): CitizenCheck {
  const c = input ?? {};
  for (const f of required) {
    if (!c[f]) return { ok: false, field: `citizen.${f}`, reason: 'required' };
  }
  if (c.name !== undefined && !isValidName(c.name)) return { ok: false, field: 'citizen.name', reason: '姓名格式不正确 / invalid name' };
  const id = c.idNumber?.toUpperCase();
  if (id !== undefined && !isValidResidentId(id)) {
    return { ok: false, field: 'citizen.idNumber', reason: '身份证号码不正确 / invalid resident id number' };
  }
  let phone: string | null = null;
  if (c.phone !== undefined) {
    phone = normalizeMobile(c.phone);
    if (!phone) return { ok: false, field: 'citizen.phone', reason: '手机号码不正确 / invalid mobile number' };
  }
  return {
    ok: true,
    value: {
      nameMasked: c.name ? maskName(c.name) : null,
      idHash: id ? hashIdNumber(id, secret) : null,
      idMasked: id ? maskIdNumber(id) : null,
      phoneMasked: phone ? maskPhone(phone) : null,
      phone,
    },
  };
}
