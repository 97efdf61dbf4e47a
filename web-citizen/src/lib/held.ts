/**
 * What the device holds for the citizen: ticket and appointment access tokens (the only credential a
 * citizen has) and a few display names. No name, id number or phone is ever kept here.
 */
import { browserStore, type KeyValueStore, memoryStore, readJson, writeJson } from './storage.ts';

export interface HeldTicket {
  id: string;
  token: string;
  siteId: string;
  number: string;
  serviceName?: string;
  siteName?: string;
  issuedAt: string;
}

export interface HeldAppointment {
  id: string;
  token: string;
  code: string;
  kind: string;
  start: string;
  end: string;
  siteId: string;
  serviceId: string;
  siteName?: string;
  serviceName?: string;
  status: string;
}

let store: KeyValueStore = memoryStore();

/** A kiosk keeps memory only; a phone keeps localStorage. */
export function initStore(kiosk: boolean): KeyValueStore {
  store = kiosk ? memoryStore() : browserStore();
  return store;
}

export function appStore(): KeyValueStore {
  return store;
}

const TICKETS = 'tickets';
const APPOINTMENTS = 'appointments';
/** Rationale: a day's tickets are the only ones that can still be called; older entries are clutter. */
const TICKET_KEEP_MS = 24 * 3600_000;

export function heldTickets(): HeldTicket[] {
  const now = Date.now();
  return readJson<HeldTicket[]>(store, TICKETS, []).filter((t) => now - Date.parse(t.issuedAt) < TICKET_KEEP_MS);
}

export function holdTicket(t: HeldTicket): void {
  writeJson(store, TICKETS, [t, ...heldTickets().filter((x) => x.id !== t.id)].slice(0, 10));
}

export function forgetTicket(id: string): void {
  writeJson(store, TICKETS, heldTickets().filter((x) => x.id !== id));
}

export function ticketToken(id: string): string | null {
  return heldTickets().find((t) => t.id === id)?.token ?? null;
}

export function heldAppointments(): HeldAppointment[] {
  return readJson<HeldAppointment[]>(store, APPOINTMENTS, []);
}

export function holdAppointment(a: HeldAppointment): void {
  writeJson(store, APPOINTMENTS, [a, ...heldAppointments().filter((x) => x.id !== a.id)].slice(0, 20));
}

export function updateAppointment(id: string, patch: Partial<HeldAppointment>): void {
  writeJson(store, APPOINTMENTS, heldAppointments().map((a) => (a.id === id ? { ...a, ...patch } : a)));
}

export function forgetAppointment(id: string): void {
  writeJson(store, APPOINTMENTS, heldAppointments().filter((x) => x.id !== id));
}
