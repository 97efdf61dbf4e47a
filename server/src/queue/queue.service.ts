/**
 * Tickets: issue, call, and every transition. Each operation locks what it changes, asks the pure core
 * whether the transition is allowed, persists ticket and event log in one transaction, commits, and only
 * then emits: a listener never hears of a change that was rolled back.
 */
import { createHash } from 'node:crypto';
import { and, eq, ne, or, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { CitizenInput, JoinInfo, StaffUser, Ticket } from '../contracts/dto.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import { isUniqueViolation, pgErrorCode } from '../db/pg-errors.ts';
import type { Db, Tx } from '../db/client.ts';
import { tickets, windows } from '../db/schema/index.ts';
import type { HallEvents } from '../events/hall-events.ts';
import type { Clock } from '../lib/clock.ts';
import { checkCitizen, type CitizenStored } from '../lib/personal-data.ts';
import { hashToken, newToken, seal, unseal } from '../lib/secrets.ts';
import { isoInZone, localDate } from '../lib/time.ts';
import { createTimeOrderedIds } from '../lib/time-ordered-id.ts';
import { createWriteBatcher } from '../lib/write-batcher.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import {
  busyWindowFreeAt, computeDueAt, DEFAULT_POLICY, estimateWaits, MINUTE_MS, resolveServiceTargets, transition,
  type Channel, type EtaInput, type Priority, type QueuedTicket, type QueuePolicy, type TicketCommand, type TicketStatus,
} from './core/index.ts';
import { toTicket, type TicketLive } from './queue.mapper.ts';
import { createServiceCatalog } from './service-catalog.ts';
import { createSiteCache } from './site-cache.ts';
import { createEstimateUpdates } from './estimate-updates.ts';
import { createWaitingSnapshots } from './waiting-snapshots.ts';
import * as repo from './queue.repository.ts';
import type { TicketRow, WindowRow } from './queue.repository.ts';

interface PlayGiven { waiting?: QueuedTicket[]; windows?: repo.EtaWindowRow[]; only?: ReadonlySet<string> }

export type Actor = { kind: 'staff'; user: StaffUser } | { kind: 'citizen'; ticketId: string } | { kind: 'system' };

/** Virtual windows open a video room when they call; the video module provides this. */
export interface VirtualCallRooms {
  openForCall(input: { ticket: TicketRow; window: WindowRow; clerk: StaffUser }): Promise<{ clerk: JoinInfo; citizen: JoinInfo }>;
  /** The citizen's join info while its ticket is called or served at a virtual window. */
  citizenJoin(ticket: TicketRow): Promise<JoinInfo | undefined>;
}

export interface QueueDeps {
  db: Db;
  clock: Clock;
  events: HallEvents;
  sites: SiteDirectory;
  config: Pick<Config, 'secret'> & Partial<Pick<Config, 'estimateCopyMaxAgeMs'>>;
  policy?: QueuePolicy;
  virtualRooms?: () => VirtualCallRooms | undefined;
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

export interface IssueInput {
  siteId: string;
  serviceId: string;
  channel: Channel;
  priority?: Priority;
  citizen?: CitizenInput;
  /**
   * The citizen as already stored elsewhere (masked, hashed): a check-in carries its booking's, a transfer
   * its original ticket's, so the clerk sees who it is without the raw data passing again.
   */
  storedCitizen?: Omit<CitizenStored, 'phone'>;
  idempotencyKey?: string;
  /** Appointment check-ins. */
  appointment?: { id: string; slotStart: number; checkInAt: number; targetWindowId?: string | null };
  /**
   * Transfers keep the original ticket's issue time, and its access token (the hash): the citizen's phone
   * opens the follow-up with the token it already holds, from the moment the follow-up exists.
   */
  transfer?: { fromId: string; waitAnchorAt: number; targetWindowId?: string | null; accessTokenHash: string };
}

/** Rationale: a week of history smooths one odd day; a shorter span follows seasonal change faster. */
const HANDLE_HISTORY_MS = 7 * 24 * 60 * MINUTE_MS;
const HANDLE_CACHE_MS = 60_000;
/**
 * Rationale: under a rush, plays of a site's queue would otherwise run back to back, each for the few
 * tickets that joined during the last. After a play of c ms the next waits PLAY_GAP_FACTOR·c, so plays take
 * at most a ninth of the thread however long the queue, and a rush's tickets share them. A short queue
 * plays almost at once; a long one waits at most MAX_PLAY_GAP_MS (unnoticeable at a kiosk). At 4 (a fifth)
 * plays were the largest item of a rush's profile (9 % of the server's CPU with 4,000–8,000 waiting).
 */
const PLAY_GAP_FACTOR = 8;
const MAX_PLAY_GAP_MS = 25;
/** Rationale: a statement of a few hundred rows still commits in milliseconds; no hall issues more at once. */
const MAX_ISSUE_BATCH = 256;


export function createQueueService(deps: QueueDeps) {
  const { db, clock, events } = deps;
  const policy = deps.policy ?? DEFAULT_POLICY;
  const handleCache = new Map<string, { at: number; means: Map<string, number> }>();
  // Coalesced estimates: concurrent issues at one site share one forward play, instead of each playing
  // the whole queue (a kiosk rush would otherwise be quadratic). A ticket is played before it is stored,
  // so its estimate is stored with it; until then it is "about to join", and every play counts it.
  const joinedGen = new Map<string, number>();
  const inflightEstimates = new Map<string, { startedGen: number | null; promise: Promise<Map<string, TicketLive>> }>();
  /** When the site's last play ended, and how long its own computing took (ms, monotonic). */
  const lastPlay = new Map<string, { endedAt: number; costMs: number }>();
  const aboutToJoin = new Map<string, Map<string, QueuedTicket>>();
  /** Of those, the ones registered since the site's last play started: the next play must place them. */
  const joinedSincePlay = new Map<string, Set<string>>();
  const catalog = createServiceCatalog(db, clock);
  const estimateUpdates = createEstimateUpdates(db, deps.log);
  // Ids in issue order: the calling order's last tie-break then agrees with the order tickets joined.
  const nextTicketId = createTimeOrderedIds();
  // Monotonic real time, not the injectable clock: the age that matters is that of a database read.
  const copyAge = { maxAgeMs: deps.config.estimateCopyMaxAgeMs ?? 1_000, now: () => performance.now() };
  const waitingSnapshots = createWaitingSnapshots((siteId) => repo.waitingSnapshot(db, siteId), copyAge);
  // The windows as the estimate at issue sees them: forgotten on every call, transition, open and close here.
  const etaWindows = createSiteCache((siteId) => repo.windowsForEta(db, siteId), copyAge);
  // Tickets issued together (a play's worth) are stored in one statement and one commit.
  const issueWriter = createWriteBatcher((rows: repo.IssueRow[]) => repo.insertIssuedTickets(db, rows), {
    maxBatch: MAX_ISSUE_BATCH,
    // A broken constraint (class 23: a retried key raced in) is one ticket's; anything else is everyone's.
    causedByOneWrite: (err) => pgErrorCode(err)?.startsWith('23') ?? false,
  });

  /** A ticket about to be stored joins the plays; the returned generation is for `estimatesSince`. */
  function aboutToIssue(siteId: string, ticket: QueuedTicket): number {
    aboutToJoin.set(siteId, (aboutToJoin.get(siteId) ?? new Map<string, QueuedTicket>()).set(ticket.id, ticket));
    joinedSincePlay.set(siteId, (joinedSincePlay.get(siteId) ?? new Set<string>()).add(ticket.id));
    const g = (joinedGen.get(siteId) ?? 0) + 1;
    joinedGen.set(siteId, g);
    return g;
  }

  /** The ticket is stored and waiting (`stored`), or it never will be. */
  function settleIssue(siteId: string, ticket: QueuedTicket, stored: boolean): void {
    if (stored) waitingSnapshots.add(siteId, ticket);
    const pending = aboutToJoin.get(siteId);
    pending?.delete(ticket.id);
    if (pending?.size === 0) aboutToJoin.delete(siteId);
  }

  /** The estimates of a play that counts every ticket that joined up to generation `gen`. */
  async function estimatesSince(siteId: string, gen: number): Promise<Map<string, TicketLive>> {
    for (;;) {
      const current = inflightEstimates.get(siteId);
      // A play that has not started yet will count every ticket that joined so far.
      if (current && (current.startedGen === null || current.startedGen >= gen)) return current.promise;
      if (current) {
        await current.promise.catch(() => undefined);
        continue;
      }
      const entry: { startedGen: number | null; promise: Promise<Map<string, TicketLive>> } = { startedGen: null, promise: Promise.resolve(new Map()) };
      const last = lastPlay.get(siteId);
      const wait = last ? last.endedAt + Math.min(MAX_PLAY_GAP_MS, PLAY_GAP_FACTOR * last.costMs) - performance.now() : 0;
      entry.promise = (async () => {
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        entry.startedGen = joinedGen.get(siteId) ?? 0;
        const only = joinedSincePlay.get(siteId) ?? new Set<string>();
        joinedSincePlay.delete(siteId);
        const windowsNow = etaWindows.get(siteId);
        const waiting = await waitingSnapshots.get(siteId, aboutToJoin.get(siteId)?.values());
        const input = await playInput(siteId, { waiting, windows: await windowsNow, only });
        const startedAt = performance.now();
        const results = estimateWaits(input);
        const endedAt = performance.now();
        lastPlay.set(siteId, { endedAt, costMs: endedAt - startedAt });
        return results;
      })().finally(() => {
        if (inflightEstimates.get(siteId) === entry) inflightEstimates.delete(siteId);
      });
      inflightEstimates.set(siteId, entry);
    }
  }

  async function siteZone(siteId: string): Promise<string> {
    return (await deps.sites.get(siteId))?.timeZone ?? 'Asia/Shanghai';
  }

  async function meanHandle(siteId: string): Promise<Map<string, number>> {
    const cached = handleCache.get(siteId);
    if (cached && clock.now() - cached.at < HANDLE_CACHE_MS) return cached.means;
    const means = await repo.recentMeanHandleMin(db, siteId, clock.now() - HANDLE_HISTORY_MS);
    handleCache.set(siteId, { at: clock.now(), means });
    return means;
  }

  /**
   * Plays the site's queue forward (pure core) to give waiting tickets a position and a wait range: those
   * in `only`, or every one. The database's queue and windows, unless the caller has them.
   */
  async function liveEstimates(siteId: string, given: PlayGiven = {}): Promise<Map<string, TicketLive>> {
    return estimateWaits(await playInput(siteId, given));
  }

  /** What a play of the site's queue needs: the waiting, the windows as they will call, handling times. */
  async function playInput(siteId: string, given: PlayGiven): Promise<EtaInput> {
    const now = clock.now();
    const [waiting, ws, means, svcRows] = await Promise.all([
      given.waiting ?? repo.waitingSnapshot(db, siteId),
      given.windows ?? repo.windowsForEta(db, siteId),
      meanHandle(siteId),
      catalog.forSite(siteId),
    ]);
    const targetHandle = new Map(svcRows.map((s) => [s.id, s.targetHandleMin]));
    const handleOf = (serviceId: string) => means.get(serviceId) ?? targetHandle.get(serviceId) ?? policy.defaultTargetHandleMin;
    const open = ws.filter((w) => w.open);
    // Before the hall opens no window is open: estimate as if every window will be, rather than say nothing.
    const playing = open.length > 0 ? open : ws;
    const playWindows = playing.map((w) => {
      const b = w.busy;
      return { id: w.id, serviceIds: w.serviceIds, busyUntil: b ? busyWindowFreeAt(now, b.sinceMs ?? now, handleOf(b.serviceId)) : now };
    });
    return {
      now,
      waiting,
      windows: playWindows,
      meanHandleMin: new Map(svcRows.map((s) => [s.id, handleOf(s.id)])),
      fallbackHandleMin: policy.defaultTargetHandleMin,
      ...(given.only ? { only: given.only } : {}),
    };
  }

  async function windowNumberOf(windowId: string | null): Promise<number | null> {
    if (!windowId) return null;
    const w = await repo.findWindow(db, windowId);
    return w?.number ?? null;
  }

  async function present(row: TicketRow, options: { live?: boolean; join?: JoinInfo; accessToken?: string } = {}): Promise<Ticket> {
    const tz = await siteZone(row.siteId);
    const live = options.live && row.status === 'waiting' ? (await liveEstimates(row.siteId, { only: new Set([row.id]) })).get(row.id) : undefined;
    const followUp = row.status === 'transferred' ? await repo.followUpOf(db, row.id) : undefined;
    const ticket = toTicket(row, tz, { windowNumber: await windowNumberOf(row.windowId), ...(live ? { live } : {}), ...(followUp ? { transferredToId: followUp } : {}) });
    if (options.accessToken) ticket.accessToken = options.accessToken;
    if (options.join) ticket.join = options.join;
    return ticket;
  }

  /** Waiting tickets per category (number prefix): what boards show. */
  async function waitingByCategory(siteId: string): Promise<Record<string, number>> {
    const [counts, items] = await Promise.all([repo.waitingByService(db, siteId), catalog.forSite(siteId)]);
    const categoryOf = new Map(items.map((i) => [i.id, i.category]));
    const out: Record<string, number> = {};
    for (const [serviceId, n] of counts) {
      // An item added on another node since the catalog was cached: look it up (which refreshes the site).
      const category = categoryOf.get(serviceId) ?? (await catalog.get(serviceId))?.category;
      if (category) out[category] = (out[category] ?? 0) + n;
    }
    return out;
  }

  function emitQueueChanged(siteId: string) {
    events.queueChangedSoon(siteId, () => waitingByCategory(siteId));
  }

  /** A ticket joined or left the waiting queue other than by being issued here. */
  function waitingSetChanged(siteId: string) {
    waitingSnapshots.forget(siteId);
    emitQueueChanged(siteId);
  }

  function requestHash(input: IssueInput): string {
    return createHash('sha256').update(JSON.stringify([input.serviceId, input.channel, input.priority ?? 'normal', input.citizen ?? null])).digest('base64url');
  }

  async function replayIdempotent(siteId: string, key: string, hash: string): Promise<Result<Ticket> | null> {
    const prior = await repo.findIdempotent(db, siteId, key);
    if (!prior) return null;
    if (prior.requestHash !== hash) return fail('IDEMPOTENCY_MISMATCH', { header: 'Idempotency-Key' });
    const row = await repo.findTicket(db, prior.ticketId);
    if (!row) return null;
    const token = unseal(prior.accessTokenSealed, deps.config.secret) ?? undefined;
    return ok(await present(row, { live: true, ...(token ? { accessToken: token } : {}) }));
  }

  async function issue(input: IssueInput): Promise<Result<Ticket>> {
    const site = await deps.sites.get(input.siteId);
    if (!site) return fail('NOT_FOUND', { resource: 'site' });
    const service = await catalog.get(input.serviceId);
    if (!service || service.siteId !== input.siteId) return fail('VALIDATION_FAILED', { field: 'serviceId', reason: 'not an item of this site' });
    const citizen = input.storedCitizen && !input.citizen ? { ok: true as const, value: input.storedCitizen } : checkCitizen(input.citizen, deps.config.secret);
    if (!citizen.ok) return fail('VALIDATION_FAILED', { field: citizen.field, reason: citizen.reason });
    // Only a retry-safe request needs its fingerprint.
    const hash = input.idempotencyKey ? requestHash(input) : '';
    if (input.idempotencyKey) {
      const replay = await replayIdempotent(input.siteId, input.idempotencyKey, hash);
      if (replay) return replay;
    }
    const now = clock.now();
    const day = localDate(now, site.timeZone);
    const accessToken = newToken();
    const priority = input.priority ?? 'normal';
    const waitAnchorAt = input.transfer?.waitAnchorAt ?? now;
    const dueAt = computeDueAt({
      channel: input.channel,
      priority,
      waitAnchorAt,
      ...(input.appointment ? { checkInAt: input.appointment.checkInAt, slotStart: input.appointment.slotStart } : {}),
      service: resolveServiceTargets(service, policy),
      policy,
    });
    const targetWindowId = input.appointment?.targetWindowId ?? input.transfer?.targetWindowId ?? null;
    const joining: QueuedTicket = { id: nextTicketId(now), serviceId: service.id, dueAt, issuedAt: now, targetWindowId };
    let row: TicketRow;
    let live: TicketLive | undefined;
    let stored = false;
    try {
      const gen = aboutToIssue(input.siteId, joining);
      // The estimate is a courtesy: a ticket is still issued (and stored without one) if it cannot be had.
      live = (await estimatesSince(input.siteId, gen).catch((err: unknown) => {
        deps.log?.warn({ err, siteId: input.siteId }, 'no wait estimate for a new ticket');
        return new Map<string, TicketLive>();
      })).get(joining.id);
      row = await issueWriter.write({
        id: joining.id, siteId: input.siteId, serviceId: service.id, day, category: service.category, priority, channel: input.channel,
        issuedAt: now, waitAnchorAt, dueAt, targetWindowId,
        citizenNameMasked: citizen.value.nameMasked, citizenIdHash: citizen.value.idHash, citizenIdMasked: citizen.value.idMasked,
        citizenPhoneMasked: citizen.value.phoneMasked, accessTokenHash: input.transfer?.accessTokenHash ?? hashToken(accessToken),
        appointmentId: input.appointment?.id ?? null, transferredFromId: input.transfer?.fromId ?? null,
        etaAtIssueMin: live?.etaMinutes ?? null, etaLowAtIssueMin: live?.etaMinutesLow ?? null, etaHighAtIssueMin: live?.etaMinutesHigh ?? null,
        event: { actorKind: input.channel === 'transfer' ? 'staff' : 'citizen', data: { channel: input.channel, priority } },
        idempotency: input.idempotencyKey ? { key: input.idempotencyKey, requestHash: hash, accessTokenSealed: seal(accessToken, deps.config.secret) } : null,
      });
      stored = true;
    } catch (err) {
      // The same key raced in from a retry: the winner's ticket is the answer.
      if (input.idempotencyKey && isUniqueViolation(err)) {
        const replay = await replayIdempotent(input.siteId, input.idempotencyKey, hash);
        if (replay) return replay;
      }
      throw err;
    } finally {
      settleIssue(input.siteId, joining, stored);
    }
    emitQueueChanged(input.siteId);
    const ticket = toTicket(row, site.timeZone, live ? { live } : {});
    if (!input.transfer) ticket.accessToken = accessToken;
    return ok(ticket);
  }

  /** A staff member may operate this window: the clerk staffing it, or a supervisor/admin of the site. */
  async function checkWindowOperator(w: WindowRow, user: StaffUser, tx?: Tx): Promise<Result<true>> {
    if (!(await deps.sites.canAccess(user, w.siteId, tx))) return fail('FORBIDDEN', { reason: 'site' });
    if (user.role === 'expert') return fail('FORBIDDEN', { reason: 'role' });
    if (w.status !== 'open') return fail('WINDOW_NOT_OPEN');
    if (user.role === 'clerk' && w.clerkId !== user.id) return fail('WINDOW_BUSY');
    return ok(true);
  }

  async function openWindow(windowId: string, user: StaffUser): Promise<Result<WindowRow>> {
    const w = await repo.findWindow(db, windowId);
    if (!w) return fail('NOT_FOUND', { resource: 'window' });
    if (!(await deps.sites.canAccess(user, w.siteId))) return fail('FORBIDDEN', { reason: 'site' });
    if (user.role !== 'clerk' && user.role !== 'admin' && user.role !== 'supervisor') return fail('FORBIDDEN', { reason: 'role' });
    const now = new Date(clock.now());
    const opened = await db.transaction(async (tx) => {
      // One clerk staffs one window: leaving another window open would let it hold tickets nobody serves.
      await tx.update(windows).set({ status: 'closed', clerkId: null, openedAt: null }).where(and(eq(windows.clerkId, user.id), ne(windows.id, windowId)));
      const [row] = await tx
        .update(windows)
        .set({ status: 'open', clerkId: user.id, openedAt: now })
        .where(and(eq(windows.id, windowId), openableBy(user.id)))
        .returning();
      return row;
    });
    if (!opened) return fail('WINDOW_BUSY');
    etaWindows.forget(opened.siteId);
    return ok(opened);
  }

  async function closeWindow(windowId: string, user: StaffUser): Promise<Result<WindowRow>> {
    const w = await repo.findWindow(db, windowId);
    if (!w) return fail('NOT_FOUND', { resource: 'window' });
    if (!(await deps.sites.canAccess(user, w.siteId))) return fail('FORBIDDEN', { reason: 'site' });
    if (user.role === 'clerk' && w.clerkId !== null && w.clerkId !== user.id) return fail('WINDOW_BUSY');
    if (user.role === 'expert') return fail('FORBIDDEN', { reason: 'role' });
    const [row] = await db.update(windows).set({ status: 'closed', clerkId: null, openedAt: null }).where(eq(windows.id, windowId)).returning();
    etaWindows.forget(w.siteId);
    return ok(row as WindowRow);
  }

  async function callNext(windowId: string, user: StaffUser): Promise<Result<Ticket | null>> {
    const now = clock.now();
    const step = transition('waiting', 'call');
    if (!step.ok) return fail('INVALID_TRANSITION', { from: 'waiting', command: 'call' });
    const seen = await repo.findWindowWithServices(db, windowId);
    if (!seen) return fail('NOT_FOUND', { resource: 'window' });
    const allowedNow = await checkWindowOperator(seen.window, user);
    if (!allowedNow.ok) return allowedNow;
    // One round trip when a ticket is there to call; the statement re-checks the window under its lock.
    const quick = await repo.callNextAtWindow(db, { windowId, siteId: seen.window.siteId, serviceIds: seen.serviceIds, clerkId: user.role === 'clerk' ? user.id : null, toStatus: step.to, staffId: user.id, at: now });
    const outcome = quick
      ? ok({ row: quick, window: seen.window })
      : await db.transaction(async (tx): Promise<Result<{ row: TicketRow; window: WindowRow } | null>> => {
          // Locking the window serialises calls at one window; calls at different windows run in parallel.
          const locked = await repo.findWindowWithServices(tx, windowId, true);
          if (!locked) return fail('NOT_FOUND', { resource: 'window' });
          const { window: w, serviceIds } = locked;
          const allowed = await checkWindowOperator(w, user, tx);
          if (!allowed.ok) return allowed;
          const called = await repo.callNextEligible(tx, { siteId: w.siteId, windowId: w.id, serviceIds, toStatus: step.to, staffId: user.id, at: now });
          return ok(called ? { row: called, window: w } : null);
        });
    if (!outcome.ok) return outcome;
    if (!outcome.value) return ok(null);
    const { row, window } = outcome.value;
    // At once, not after the room opens below: plays meanwhile must not count the called ticket.
    etaWindows.forget(row.siteId);
    waitingSnapshots.forget(row.siteId);
    let join: JoinInfo | undefined;
    if (window.kind === 'virtual') {
      const rooms = deps.virtualRooms?.();
      if (rooms) join = (await rooms.openForCall({ ticket: row, window, clerk: user })).clerk;
    }
    const tz = await siteZone(row.siteId);
    const ticket = toTicket(row, tz, { windowNumber: window.number });
    events.afterCommit(row.siteId, () => announceCall(row, window, false, ticket));
    emitQueueChanged(row.siteId);
    return ok(join ? { ...ticket, join } : ticket);
  }

  async function announceCall(row: TicketRow, window: WindowRow, recall: boolean, presented?: Ticket) {
    const ticket = presented ?? toTicket(row, await siteZone(row.siteId), { windowNumber: window.number });
    const citizenJoin = window.kind === 'virtual' ? await deps.virtualRooms?.()?.citizenJoin(row) : undefined;
    const seq = await events.ticketCalled({
      ticketId: row.id, number: row.number, windowId: window.id, windowNumber: window.number, siteId: row.siteId,
      calledAt: ticket.calledAt ?? ticket.issuedAt, recall,
    }, () => waitingByCategory(row.siteId));
    await events.ticketUpdated(ticket, { seq, ...(citizenJoin ? { citizenJoin } : {}) });
  }

  /** Which commands need which actor: staff at the ticket's window, anyone staffing the site, or the citizen. */
  async function authorise(tx: Tx, row: TicketRow, command: TicketCommand, actor: Actor): Promise<Result<true>> {
    if (actor.kind === 'system') return ok(true);
    if (actor.kind === 'citizen') {
      return command === 'cancel' && actor.ticketId === row.id ? ok(true) : fail('FORBIDDEN', { reason: 'citizen' });
    }
    const user = actor.user;
    if (!(await deps.sites.canAccess(user, row.siteId, tx))) return fail('FORBIDDEN', { reason: 'site' });
    if (user.role === 'expert') return fail('FORBIDDEN', { reason: 'role' });
    if (user.role !== 'clerk') return ok(true);
    // A clerk acts on tickets at its own window; resume and cancel only need the site.
    if (command === 'resume' || command === 'cancel') return ok(true);
    if (!row.windowId) return fail('FORBIDDEN', { reason: 'window' });
    const w = await repo.findWindow(tx, row.windowId);
    return w && w.clerkId === user.id ? ok(true) : fail('FORBIDDEN', { reason: 'not your window' });
  }

  interface TransitionOptions {
    set?: (row: TicketRow, now: number) => Partial<typeof tickets.$inferInsert>;
    check?: (row: TicketRow, tx: Tx) => Promise<Result<true>>;
    data?: Record<string, unknown>;
    eventType?: string;
  }

  /** The one path for every transition but call-next and issue. */
  async function apply(ticketId: string, command: TicketCommand, actor: Actor, options: TransitionOptions = {}): Promise<Result<TicketRow>> {
    const now = clock.now();
    const result = await db.transaction(async (tx): Promise<Result<{ before: TicketStatus; row: TicketRow }>> => {
      const row = await repo.findTicket(tx, ticketId, true);
      if (!row) return fail('NOT_FOUND', { resource: 'ticket' });
      const allowed = await authorise(tx, row, command, actor);
      if (!allowed.ok) return allowed;
      const step = transition(row.status, command);
      if (!step.ok) return fail('INVALID_TRANSITION', { from: row.status, command });
      if (options.check) {
        const checked = await options.check(row, tx);
        if (!checked.ok) return checked;
      }
      const [updated] = await tx
        .update(tickets)
        .set({ status: step.to, ...(options.set?.(row, now) ?? {}) })
        .where(eq(tickets.id, row.id))
        .returning();
      await repo.appendEvent(tx, {
        ticketId: row.id, siteId: row.siteId, type: options.eventType ?? command, fromStatus: row.status, toStatus: step.to,
        actorKind: actor.kind, actorId: actor.kind === 'staff' ? actor.user.id : null, windowId: (updated as TicketRow).windowId,
        at: new Date(now), data: options.data ?? null,
      });
      return ok({ before: row.status, row: updated as TicketRow });
    });
    if (!result.ok) return result;
    const { before, row } = result.value;
    // A start, finish or call changes what a window is busy with.
    etaWindows.forget(row.siteId);
    events.afterCommit(row.siteId, async () => events.ticketUpdated(await present(row)));
    if (before === 'waiting' || row.status === 'waiting') waitingSetChanged(row.siteId);
    return ok(row);
  }

  async function recall(ticketId: string, user: StaffUser): Promise<Result<Ticket>> {
    const r = await apply(ticketId, 'recall', { kind: 'staff', user }, {
      // The first call's time stays the SLA measure; only the last-called time moves.
      set: (row, now) => ({ lastCalledAt: new Date(now), callCount: row.callCount + 1 }),
    });
    if (!r.ok) return r;
    const w = r.value.windowId ? await repo.findWindow(db, r.value.windowId) : undefined;
    if (w) events.afterCommit(w.siteId, () => announceCall(r.value, w, true));
    return ok(await present(r.value));
  }

  const done = async (r: Result<TicketRow>): Promise<Result<Ticket>> => (r.ok ? ok(await present(r.value, { live: true })) : r);

  return {
    issue,
    openWindow,
    closeWindow,
    callNext,
    recall,
    start: async (id: string, user: StaffUser) => done(await apply(id, 'start', { kind: 'staff', user }, { set: (_r, now) => ({ startedAt: new Date(now) }) })),
    finish: async (id: string, user: StaffUser, body: { outcome?: string; note?: string }) =>
      done(await apply(id, 'finish', { kind: 'staff', user }, { set: (_r, now) => ({ finishedAt: new Date(now), outcome: body.outcome ?? 'completed', note: body.note ?? null }), data: { outcome: body.outcome ?? 'completed' } })),
    noShow: async (id: string, user: StaffUser) => done(await apply(id, 'noShow', { kind: 'staff', user }, { set: (_r, now) => ({ finishedAt: new Date(now) }) })),
    cancel: async (id: string, actor: Actor) => done(await apply(id, 'cancel', actor, { set: (_r, now) => ({ finishedAt: new Date(now) }) })),
    suspend: async (id: string, user: StaffUser, body: { reason: string; resumeWithinMin?: number }) =>
      done(await apply(id, 'suspend', { kind: 'staff', user }, {
        set: (_r, now) => ({ suspendedAt: new Date(now), resumeBy: new Date(now + (body.resumeWithinMin ?? policy.resumeWithinMin) * MINUTE_MS) }),
        data: { reason: body.reason },
      })),
    resume: async (id: string, user: StaffUser) => {
      // Any open window of the site serving the item may resume: the clerk's own window takes the ticket.
      let target: WindowRow | undefined;
      const r = await apply(id, 'resume', { kind: 'staff', user }, {
        check: async (row, tx) => {
          const [mine] = await tx.select().from(windows).where(and(eq(windows.siteId, row.siteId), eq(windows.status, 'open'), eq(windows.clerkId, user.id))).limit(1);
          const candidate = mine ?? (user.role !== 'clerk' && row.windowId ? await repo.findWindow(tx, row.windowId) : undefined);
          if (!candidate) return fail('WINDOW_NOT_OPEN');
          if (!(await repo.windowServiceIds(tx, candidate.id)).includes(row.serviceId)) return fail('SERVICE_NOT_SERVED');
          target = candidate;
          return ok(true);
        },
        set: () => ({ windowId: target?.id ?? null, suspendedAt: null, resumeBy: null }),
      });
      return done(r);
    },
    transfer: async (id: string, user: StaffUser, body: { serviceId?: string; windowId?: string }) => transfer(id, user, body),
    expireSuspensions,
    warnAtRisk,
    /** `citizenJoin`: the citizen itself is asking, so a call at a virtual window carries its join token. */
    get: async (id: string, options: { citizenJoin?: boolean } = {}) => {
      const row = await repo.findTicket(db, id);
      if (!row) return fail('NOT_FOUND', { resource: 'ticket' });
      const join = options.citizenJoin ? await deps.virtualRooms?.()?.citizenJoin(row) : undefined;
      const ticket = await present(row, { live: true, ...(join ? { join } : {}) });
      // What the citizen's own phone is shown is an update whose accuracy is reported (staff reads are not).
      if (options.citizenJoin && ticket.etaMinutes !== null && ticket.etaMinutesLow !== null && ticket.etaMinutesHigh !== null) {
        estimateUpdates.record({ ticketId: row.id, siteId: row.siteId, shownAt: clock.now(), etaMin: ticket.etaMinutes, lowMin: ticket.etaMinutesLow, highMin: ticket.etaMinutesHigh });
      }
      return ok(ticket);
    },
    findRow: (id: string) => repo.findTicket(db, id),
    expertOnTicket: (ticketId: string, staffId: string) => repo.expertOnTicket(db, ticketId, staffId),
    present,
    liveEstimates,
    siteZone,
    waitingByCategory,
  };

  async function transfer(id: string, user: StaffUser, body: { serviceId?: string; windowId?: string }): Promise<Result<Ticket>> {
    if (!body.serviceId && !body.windowId) return fail('VALIDATION_FAILED', { field: 'serviceId', reason: 'serviceId or windowId is required' });
    const original = await repo.findTicket(db, id);
    if (!original) return fail('NOT_FOUND', { resource: 'ticket' });
    const serviceId = body.serviceId ?? original.serviceId;
    const service = await catalog.get(serviceId);
    if (!service || service.siteId !== original.siteId) return fail('VALIDATION_FAILED', { field: 'serviceId', reason: 'not an item of this site' });
    if (body.windowId) {
      const w = await repo.findWindow(db, body.windowId);
      if (!w || w.siteId !== original.siteId) return fail('VALIDATION_FAILED', { field: 'windowId', reason: 'not a window of this site' });
      if (!(await repo.windowServiceIds(db, w.id)).includes(serviceId)) return fail('SERVICE_NOT_SERVED', { field: 'windowId' });
    }
    const r = await apply(id, 'transfer', { kind: 'staff', user }, { set: (_r, now) => ({ finishedAt: new Date(now) }), data: { serviceId, windowId: body.windowId ?? null } });
    if (!r.ok) return r;
    // The follow-up ticket keeps the original issue time: moving desks costs the citizen no place.
    const follow = await issue({
      siteId: original.siteId, serviceId, channel: 'transfer', priority: original.priority,
      storedCitizen: { nameMasked: original.citizenNameMasked, idHash: original.citizenIdHash, idMasked: original.citizenIdMasked, phoneMasked: original.citizenPhoneMasked },
      transfer: { fromId: original.id, waitAnchorAt: original.waitAnchorAt.getTime(), targetWindowId: body.windowId ?? null, accessTokenHash: original.accessTokenHash },
    });
    if (!follow.ok) return follow;
    // The original's watchers hear where it went.
    const moved = r.value;
    events.afterCommit(moved.siteId, async () => events.ticketUpdated(await present(moved)));
    return follow;
  }

  /** Suspended tickets not resumed in time become `noShow` (idempotent: a second run finds nothing). */
  async function expireSuspensions(): Promise<number> {
    const due = await repo.expiredSuspensions(db, clock.now());
    let n = 0;
    for (const { id } of due) {
      const r = await apply(id, 'expireSuspension', { kind: 'system' }, { eventType: 'suspensionExpired', set: (_r, now) => ({ finishedAt: new Date(now) }) });
      if (r.ok) n++;
    }
    return n;
  }

  /** Warn staff once about each waiting ticket whose dueAt is near with no call. */
  async function warnAtRisk(horizonMs: number): Promise<number> {
    const claimed = await repo.claimAtRisk(db, clock.now(), horizonMs);
    // A backlog can put hundreds at risk at once: one seq and one zone per site, not per ticket.
    const bySite = new Map<string, typeof claimed>();
    for (const t of claimed) bySite.set(t.siteId, [...(bySite.get(t.siteId) ?? []), t]);
    for (const [siteId, list] of bySite) {
      const [zone, seq] = await Promise.all([siteZone(siteId), events.currentSeq(siteId)]);
      for (const t of list) await events.slaAtRisk({ siteId, ticketId: t.id, number: t.number, dueAt: isoInZone(t.dueAt.getTime(), zone) }, seq);
    }
    return claimed.length;
  }
}

/** Openable by this clerk: closed, unstaffed, or already theirs (reopening after a reload is harmless). */
function openableBy(userId: string) {
  return or(eq(windows.status, 'closed'), eq(windows.clerkId, userId), sql`${windows.clerkId} IS NULL`);
}

export type QueueService = ReturnType<typeof createQueueService>;
