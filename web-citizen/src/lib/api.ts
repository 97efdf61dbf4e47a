/**
 * The typed API client. Request and response types come from the server's contracts (never copied here);
 * every failure becomes an `ApiError` carrying the stable error code, which the UI maps to friendly words.
 */
import type { Appointment, AppointmentCreate, Case, CaseCreate, JoinInfo, Rating, RatingCreate, Service, SiteTreeNode, Slot, Static, Ticket, TicketCreate, Window } from './contract-types.ts';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** The citizen's access token for a ticket or appointment. */
  token?: string;
  /** A staff credential (a signed-in kiosk only). */
  bearer?: string;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export const API_BASE = '/api/v1';
const enc = encodeURIComponent;

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers['x-access-token'] = options.token;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as { name?: string }).name === 'AbortError') throw err;
    throw new ApiError('NETWORK', 0);
  }
  return parse<T>(res);
}

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return null as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ApiError(e?.code ?? (res.status >= 500 ? 'UNAVAILABLE' : 'UNKNOWN'), res.status, e?.details ?? {});
  }
  return json as T;
}

/**
 * The ticket request public/boot.js started before the app's code arrived, taken once (later reads go to
 * the network: they must see fresh state).
 */
function takePrefetchedTicket(id: string): Promise<Response> | null {
  const w = window as unknown as { __ycTicketPrefetch?: { id: string; response: Promise<Response> } };
  const p = w.__ycTicketPrefetch;
  if (!p || p.id !== id) return null;
  delete w.__ycTicketPrefetch;
  return p.response;
}

async function getTicket(id: string, token: string, signal?: AbortSignal): Promise<Ticket> {
  const early = takePrefetchedTicket(id);
  if (early) {
    const res = await early.catch(() => null);
    if (res) return parse<Ticket>(res);
  }
  return request<Ticket>('GET', `/tickets/${enc(id)}`, { token, ...(signal ? { signal } : {}) });
}

/** A fresh key per user action: a retried request returns the same ticket, never a second one. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && 'randomUUID' in c) return c.randomUUID();
  return `k${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

export const api = {
  sites: (signal?: AbortSignal) => request<SiteTreeNode[]>('GET', '/sites', signal ? { signal } : {}),
  services: (siteId: string, signal?: AbortSignal) => request<Service[]>('GET', `/sites/${enc(siteId)}/services`, signal ? { signal } : {}),
  windows: (siteId: string) => request<Window[]>('GET', `/sites/${enc(siteId)}/windows`),
  takeTicket: (siteId: string, body: Static<typeof TicketCreate>, idempotencyKey: string) =>
    request<Ticket>('POST', `/sites/${enc(siteId)}/tickets`, { body, idempotencyKey }),
  ticket: getTicket,
  cancelTicket: (id: string, token: string) => request<Ticket>('POST', `/tickets/${enc(id)}/cancel`, { token }),
  /** A fresh room token for a ticket being served at a virtual window. */
  /** `lostNode`: the media node whose connection just dropped, so a live one is named (docs/media-nodes.md). */
  ticketJoin: (id: string, token: string, lostNode?: string) =>
    request<JoinInfo>('GET', `/tickets/${enc(id)}/join${lostNode ? `?lostNode=${enc(lostNode)}` : ''}`, { token }),

  slots: (siteId: string, serviceId: string, date: string, signal?: AbortSignal) =>
    request<Slot[]>('GET', `/sites/${enc(siteId)}/services/${enc(serviceId)}/slots?date=${enc(date)}`, signal ? { signal } : {}),
  book: (body: Static<typeof AppointmentCreate>, idempotencyKey: string) => request<Appointment>('POST', '/appointments', { body, idempotencyKey }),
  appointment: (id: string, token: string, signal?: AbortSignal) => request<Appointment>('GET', `/appointments/${enc(id)}`, { token, ...(signal ? { signal } : {}) }),
  checkIn: (id: string, token: string) => request<Ticket>('POST', `/appointments/${enc(id)}/check-in`, { token, body: {} }),
  cancelAppointment: (id: string, token: string) => request<Appointment>('POST', `/appointments/${enc(id)}/cancel`, { token }),
  reschedule: (id: string, token: string, start: string) => request<Appointment>('POST', `/appointments/${enc(id)}/reschedule`, { token, body: { start } }),

  rate: (ticketId: string, token: string, body: Static<typeof RatingCreate>) => request<Rating>('POST', `/tickets/${enc(ticketId)}/rating`, { token, body }),
  report: (body: Static<typeof CaseCreate>) => request<Case>('POST', '/cases', { body }),
};
