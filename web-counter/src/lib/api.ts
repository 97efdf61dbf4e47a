/**
 * The HTTP client of the staff app and the board: JSON in and out under `/api/v1`, the staff bearer token
 * when signed in, and every error response turned into an `ApiError` carrying the contract's code.
 */
import type { ErrorBody, ErrorCode } from '@yichuang/server/contracts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let bearer: string | null = null;
let onUnauthenticated: (() => void) | null = null;

export function setBearer(token: string | null): void {
  bearer = token;
}

/** Called once when the server says the token is no longer valid (expired, logged out elsewhere). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** `null` for 204 No Content. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : 'network error');
  }
  if (res.status === 204) return null as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const e = (parsed as Partial<ErrorBody> | null)?.error;
    const code = (e?.code ?? (res.status === 404 ? 'NOT_FOUND' : 'INTERNAL')) as ErrorCode;
    if (res.status === 401 && bearer && onUnauthenticated) onUnauthenticated();
    throw new ApiError(res.status, code, e?.message ?? res.statusText, e?.details ?? {});
  }
  return parsed as T;
}

/** Whether the route itself is unknown (a module not deployed): the server's not-found handler names the path. */
export function isMissingEndpoint(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && typeof err.details.path === 'string';
}
