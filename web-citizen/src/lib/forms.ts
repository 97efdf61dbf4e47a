/**
 * Form checks: the personal-data rules a person can fix (GB 11643 check digit, mainland mobile, name
 * characters) give field-level messages; the same TypeBox schemas the server validates with are the
 * backstop, so nothing the server would refuse for its shape is ever sent.
 * Loaded only by the forms' chunks (booking, feedback): the schema compiler stays off the first screen.
 */
import { AppointmentCreate, CaseCreate, isValidName, isValidResidentId, normalizeMobile, RatingCreate } from '@yichuang/server/contracts';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { MessageKey } from '../i18n/messages.ts';

export type FieldErrors = Record<string, MessageKey>;

const compiled = new Map<TSchema, ReturnType<typeof Compile>>();
function validator(schema: TSchema) {
  let v = compiled.get(schema);
  if (!v) {
    v = Compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** Fields the schema rejects, as `citizen.phone`-style paths mapped to the form's field names. */
export function schemaErrors(schema: TSchema, value: unknown, fieldOf: (path: string) => string): FieldErrors {
  const v = validator(schema);
  if (v.Check(value)) return {};
  const out: FieldErrors = {};
  for (const e of v.Errors(value)) {
    const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const missing = (e.params as { requiredProperties?: string[] } | undefined)?.requiredProperties?.[0];
    const field = fieldOf(missing ? (path ? `${path}.${missing}` : missing) : path || 'form');
    out[field] ??= 'err.field.invalid';
  }
  return out;
}

export interface IdentityInput {
  name: string;
  idNumber: string;
  phone: string;
  address: string;
}

export type BookingBody = Static<typeof AppointmentCreate>;

/** Builds the booking body from what was typed, or says which fields to fix (and sends nothing). */
export function checkBooking(
  base: { siteId: string; serviceId: string; start: string; kind: 'hall' | 'video' | 'homeVisit' },
  input: IdentityInput,
): { ok: true; body: BookingBody } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const name = input.name.trim();
  const id = input.idNumber.trim().toUpperCase();
  const phone = normalizeMobile(input.phone.trim());
  if (!name) errors.name = 'err.field.required';
  else if (!isValidName(name)) errors.name = 'err.field.name';
  if (!id) errors.idNumber = 'err.field.required';
  else if (!isValidResidentId(id)) errors.idNumber = 'err.field.idNumber';
  if (!input.phone.trim()) errors.phone = 'err.field.required';
  else if (!phone) errors.phone = 'err.field.phone';
  if (base.kind === 'homeVisit' && input.address.trim().length < 4) errors.address = 'err.field.address';
  const body: BookingBody = {
    ...base,
    citizen: { name, idNumber: id, phone: phone ?? input.phone.trim() },
    ...(base.kind === 'homeVisit' ? { address: input.address.trim() } : {}),
  };
  const shape = schemaErrors(AppointmentCreate, body, (p) => p.replace(/^citizen\./, ''));
  const all = { ...shape, ...errors };
  return Object.keys(all).length ? { ok: false, errors: all } : { ok: true, body };
}

export type CaseBody = Static<typeof CaseCreate>;

export function checkCase(input: { siteId: string; description: string; name: string; phone: string; ticketId?: string }): { ok: true; body: CaseBody } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const description = input.description.trim();
  const name = input.name.trim();
  const phone = normalizeMobile(input.phone.trim());
  if (!input.siteId) errors.siteId = 'err.field.required';
  // Rationale: fewer than 5 characters cannot say what went wrong; the case officer would have to call back.
  if (description.length < 5) errors.description = 'err.field.description';
  if (name && !isValidName(name)) errors.name = 'err.field.name';
  if (!input.phone.trim()) errors.phone = 'err.field.required';
  else if (!phone) errors.phone = 'err.field.phone';
  const body: CaseBody = {
    siteId: input.siteId,
    kind: 'cannotBeDone',
    description,
    contact: { ...(name ? { name } : {}), phone: phone ?? input.phone.trim() },
    ...(input.ticketId ? { ticketId: input.ticketId } : {}),
  };
  const shape = schemaErrors(CaseCreate, body, (p) => (p.startsWith('contact.') ? p.slice(8) : p));
  const all = { ...shape, ...errors };
  return Object.keys(all).length ? { ok: false, errors: all } : { ok: true, body };
}

export type RatingBody = Static<typeof RatingCreate>;

export function checkRating(input: { score: number | null; reasons: string[]; comment: string }): { ok: true; body: RatingBody } | { ok: false; errors: FieldErrors } {
  if (input.score === null) return { ok: false, errors: { score: 'err.field.required' } };
  const comment = input.comment.trim();
  const body: RatingBody = { score: input.score, ...(input.reasons.length ? { reasons: input.reasons } : {}), ...(comment ? { comment } : {}) };
  const errors = schemaErrors(RatingCreate, body, (p) => p.split('.')[0] ?? p);
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, body };
}
