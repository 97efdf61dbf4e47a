/**
 * A hall kiosk checks bookings in by code, which the API allows to staff devices only. Staff sign the kiosk
 * in once (`#/kiosk-setup`); the device credential is kept apart from citizens' data (which a kiosk never
 * keeps) and is dropped when it expires or is refused.
 */
import { request } from './api.ts';
import type { Appointment, Ticket } from './contract-types.ts';

const KEY = 'yc-kiosk-device';

interface DeviceCredential {
  token: string;
  expiresAt: string;
  siteIds: string[];
  username: string;
}

function read(): DeviceCredential | null {
  try {
    const raw = window.localStorage.getItem(KEY);
    const c = raw ? (JSON.parse(raw) as DeviceCredential) : null;
    if (c && Date.parse(c.expiresAt) > Date.now()) return c;
  } catch {
    /* unavailable storage: no credential */
  }
  return null;
}

export function kioskDevice(): DeviceCredential | null {
  return read();
}

export function forgetKioskDevice(): void {
  try {
    window.localStorage.removeItem(KEY);
  } catch {
    /* nothing to forget */
  }
}

export async function signInKiosk(username: string, password: string): Promise<DeviceCredential> {
  const res = await request<{ token: string; expiresAt: string; user: { siteIds: string[]; username: string } }>('POST', '/auth/login', { body: { username, password } });
  const c = { token: res.token, expiresAt: res.expiresAt, siteIds: res.user.siteIds, username: res.user.username };
  window.localStorage.setItem(KEY, JSON.stringify(c));
  return c;
}

/** What a barcode scanner types from the booking QR (`YC-A:CODE`) or what a person types (`code`). */
export function parseBookingCode(input: string): string | null {
  const c = input.trim().toUpperCase().replace(/^YC-A:/, '').replace(/\s+/g, '');
  return /^[A-Z0-9]{4,16}$/.test(c) ? c : null;
}

export async function checkInByCode(code: string): Promise<Ticket> {
  const device = read();
  if (!device) throw Object.assign(new Error('KIOSK_NOT_SET_UP'), { code: 'KIOSK_NOT_SET_UP' });
  const auth = { bearer: device.token };
  const appt = await request<Appointment>('GET', `/appointments/by-code/${encodeURIComponent(code)}`, auth);
  return request<Ticket>('POST', `/appointments/${encodeURIComponent(appt.id)}/check-in`, { ...auth, body: { code } });
}
