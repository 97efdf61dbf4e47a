/** The signed-in staff member: kept per browser tab (sessionStorage), so two clerks can share a PC's browser. */
import type { Static } from 'typebox';
import type { LoginResponse } from '@yichuang/server/contracts';
import { setBearer } from './api.ts';

export type Session = Static<typeof LoginResponse>;
const KEY = 'yc.staff.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (Date.parse(s.expiresAt) <= Date.now()) return null;
    setBearer(s.token);
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  setBearer(s?.token ?? null);
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch {
    // private mode: the session lasts as long as the page
  }
}
