/**
 * What every inbound socket event passes before a handler (and so the database) sees it, on `/hall` and
 * `/media` alike: a bound on connections per address, a budget of handshakes per address (so a loop of
 * bogus tokens stops costing a token check), a token bucket of events per connection, the shape
 * `(payload, ack?)`, and no control characters in any string. Refusals answer the ack in the contract's
 * `{ error }` form; a connection that keeps sending after refusal, or sends an abusive shape, is logged once
 * and dropped, so a flood costs one log line, not one per event.
 */
import type { Namespace, Socket } from 'socket.io';
import type { TrustProxy } from '../config.ts';
import { ERRORS, type ErrorCode } from '../contracts/errors.ts';
import { createClientAddress } from './client-address.ts';
import { findTextProblem } from './control-chars.ts';

export interface SocketGuardOptions {
  eventsPerSec: number;
  eventBurst: number;
  connectionsPerAddress: number;
  /** TRUST_PROXY: the proxies whose X-Forwarded-For entries are believed, as for HTTP (lib/client-address.ts). */
  trustProxy: TrustProxy;
  now: () => number;
  log: { warn(obj: object, msg: string): void };
}

/**
 * Rationale: the handshakes an address may have in flight or refused before it must wait: at least the
 * connections it may hold (every console behind one NAT reconnects at once after a restart), and never fewer
 * than 20. A handshake that connects gives its charge back, so only refused ones (a bogus or revoked token)
 * use the budget up; it then refills at one every 3 seconds, about what one client retrying with socket.io's
 * back-off asks.
 */
const MIN_HANDSHAKE_BURST = 20;
const HANDSHAKE_REFILL_PER_SEC = 1 / 3;
/** Rationale: addresses whose budget is whole again are forgotten once this many are remembered. */
const MAX_REMEMBERED_ADDRESSES = 10_000;

function refusal(code: ErrorCode, details?: Record<string, unknown>) {
  return { error: { code, message: ERRORS[code].message, ...(details ? { details } : {}) } };
}

function handshakeRefusal(code: ErrorCode): Error & { data: { code: ErrorCode; message: string } } {
  return Object.assign(new Error(code), { data: { code, message: ERRORS[code].message } });
}

export function guardNamespace(namespace: Namespace, options: SocketGuardOptions): void {
  const live = new Map<string, number>();
  const nsName = namespace.name;
  // The same rule as Fastify's request.ip, so a client writing its own X-Forwarded-For escapes no limit.
  const addressOf = createClientAddress(options.trustProxy);
  const socketClientAddress = (socket: Pick<Socket, 'handshake'>) => addressOf(socket.handshake.address, socket.handshake.headers['x-forwarded-for']);

  const handshakeBurst = Math.max(MIN_HANDSHAKE_BURST, options.connectionsPerAddress);
  const handshakes = new Map<string, { tokens: number; at: number }>();
  const handshakeBudget = (address: string, now: number) => {
    const b = handshakes.get(address) ?? { tokens: handshakeBurst, at: now };
    b.tokens = Math.min(handshakeBurst, b.tokens + ((now - b.at) / 1000) * HANDSHAKE_REFILL_PER_SEC);
    b.at = now;
    return b;
  };
  const forgetWholeBudgets = (now: number) => {
    for (const address of [...handshakes.keys()]) if (handshakeBudget(address, now).tokens >= handshakeBurst) handshakes.delete(address);
  };

  namespace.use((socket, next) => {
    // Most floods stop here, before any token check or query; the count at `connection` is the exact bound.
    const address = socketClientAddress(socket);
    if ((live.get(address) ?? 0) >= options.connectionsPerAddress) return next(handshakeRefusal('RATE_LIMITED'));
    const now = options.now();
    const budget = handshakeBudget(address, now);
    if (budget.tokens < 1) return next(handshakeRefusal('RATE_LIMITED'));
    budget.tokens -= 1;
    if (handshakes.size >= MAX_REMEMBERED_ADDRESSES) forgetWholeBudgets(now);
    handshakes.set(address, budget);
    next();
  });

  namespace.on('connection', (socket: Socket) => {
    const address = socketClientAddress(socket);
    // It connected: the handshake's charge comes back (only refused handshakes use the budget up).
    const budget = handshakes.get(address);
    if (budget) budget.tokens = Math.min(handshakeBurst, budget.tokens + 1);
    const count = (live.get(address) ?? 0) + 1;
    live.set(address, count);
    socket.once('disconnect', () => {
      const left = (live.get(address) ?? 1) - 1;
      if (left <= 0) live.delete(address);
      else live.set(address, left);
    });
    if (count > options.connectionsPerAddress) {
      socket.disconnect(true);
      return;
    }

    let tokens = options.eventBurst;
    let refilledAt = options.now();
    let refusedInARow = 0;
    let dropped = false;
    const drop = (reason: string, event: unknown) => {
      if (dropped) return;
      dropped = true;
      // One line per abusive connection; no payload (it may carry personal data or be huge).
      options.log.warn({ namespace: nsName, socketId: socket.id, address, reason, event: typeof event === 'string' ? event.slice(0, 64) : typeof event }, 'abusive socket dropped');
      socket.disconnect(true);
    };

    socket.use((packet, next) => {
      if (dropped) return;
      const [event, ...args] = packet as unknown[];
      // The contract's shape is `(payload, ack?)`: a non-function in the ack's place, or more arguments, is not
      // a client of ours (socket.io's own client always puts the ack function last).
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: unknown) => void) : undefined;
      if (args.length > 2 || (args.length === 2 && !ack)) return drop('arguments', event);

      const now = options.now();
      tokens = Math.min(options.eventBurst, tokens + ((now - refilledAt) / 1000) * options.eventsPerSec);
      refilledAt = now;
      if (tokens < 1) {
        refusedInARow++;
        // Rationale: a client that waits for its refusals stops well before a burst's worth of them.
        if (refusedInARow > options.eventBurst) return drop('rate', event);
        ack?.(refusal('RATE_LIMITED', { retryAfterSec: Math.ceil(1 / options.eventsPerSec) }));
        return;
      }
      tokens -= 1;
      refusedInARow = 0;

      const problem = findTextProblem(args[0]);
      if (problem) {
        ack?.(refusal('VALIDATION_FAILED', { field: problem.field, reason: problem.reason }));
        return;
      }
      next();
    });
  });
}
