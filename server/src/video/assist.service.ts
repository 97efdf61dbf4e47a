/**
 * Assistance sessions (视频帮办): a clerk asks for help, experts ring in turn, one accepts, the call runs in an
 * SFU room, anyone in it may add a third party, and it ends. Each operation decides in one transaction with a
 * conditional update (two experts accepting at once: the database picks one), commits, then tells people.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, lte, ne, sql } from 'drizzle-orm';
import type { JoinRole } from '@yichuang/sfu';
import type { JoinInfo, StaffUser } from '../contracts/dto.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import { hallRooms } from '../contracts/events.ts';
import type { AssistSession, AssistSessionCreate, AssistStatus, AssistTarget, VideoEvent } from '../contracts/video.ts';
import type { Db, Tx } from '../db/client.ts';
import { assistParticipants, assistSessions, tickets } from '../db/schema/index.ts';
import type { HallEvents, HallNamespace } from '../events/hall-events.ts';
import type { Clock } from '../lib/clock.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import {
  assistRoomId, buildLadder, DEFAULT_ESCALATION, nextToRing, planEscalation, resolveAnchors,
  type EscalationPolicy, type EscalationStep, type ExpertCandidate, type SiteNode,
} from './core/index.ts';
import type { MediaTokens } from './media-tokens.ts';
import { toAssistSession, toVideoEvent } from './video.mapper.ts';
import * as repo from './video.repository.ts';
import type { SessionRow } from './video.repository.ts';

export interface AssistDeps {
  db: Db;
  clock: Clock;
  sites: SiteDirectory;
  events: Pick<HallEvents, 'currentSeq'>;
  hall: () => HallNamespace | null;
  tokens: MediaTokens;
  /** Closes the SFU room and writes what the room leaves behind (quality summary, recordings). */
  closeRoom: (roomId: string) => Promise<void>;
  policy?: EscalationPolicy;
  log: { error(obj: unknown, msg?: string): void };
}

/** Rationale: a sweep touches at most this many due sessions per run; the next run takes the rest. */
const SWEEP_BATCH = 50;
/** Rationale: an expert's console lists at most this many; older ones are in the supervisor's reports. */
const LIST_LIMIT = 100;

const staffRole = (u: StaffUser): JoinRole => u.role;

export function createAssistService(deps: AssistDeps) {
  const { db, clock, sites } = deps;
  const policy = deps.policy ?? DEFAULT_ESCALATION;

  async function zoneOf(siteId: string, tx?: Tx): Promise<string> {
    return (await sites.get(siteId, tx))?.timeZone ?? 'Asia/Shanghai';
  }

  async function siteTree(tx?: Tx): Promise<Map<string, SiteNode>> {
    return new Map((await sites.all(tx)).map((s) => [s.id, { id: s.id, parentId: s.parentId, level: s.level, region: s.region }]));
  }

  async function view(row: SessionRow, tx: Tx = db): Promise<AssistSession> {
    const [participants, recordings] = await Promise.all([repo.participantsOf(tx, [row.id]), repo.recordingsOf(tx, [row.id])]);
    return toAssistSession(row, await zoneOf(row.siteId, tx), participants, recordings);
  }

  /** Available experts now: online, not in an answered call, with when each last answered. */
  async function candidates(tx: Tx): Promise<ExpertCandidate[]> {
    const online = await repo.onlineExperts(tx);
    const [busy, answered] = await Promise.all([repo.busyStaffIds(tx), repo.lastAnswered(tx, online.map((e) => e.id))]);
    return online.map((e) => ({ id: e.id, siteIds: e.siteIds, skills: e.skills, available: !busy.has(e.id), lastAnsweredAt: answered.get(e.id) ?? null }));
  }

  async function planFor(tx: Tx, row: { siteId: string; target: AssistTarget; requestedAt: number; rung: readonly string[] }, now: number): Promise<Result<EscalationStep>> {
    const tree = await siteTree(tx);
    const anchors = resolveAnchors(row.target, row.siteId, tree);
    if (!anchors.ok) return fail('VALIDATION_FAILED', { field: anchors.field, reason: anchors.reason });
    const ladder = buildLadder(anchors.anchors, tree, await candidates(tx), row.target.skill);
    const next = nextToRing(ladder, new Set(row.rung), policy.ringWidth);
    return ok(planEscalation({ now, requestedAt: row.requestedAt, next, policy }));
  }

  /** A join for `user`, placed on the media node of the user's own site's region (the expert's, not the clerk's). */
  async function join(row: SessionRow, user: StaffUser, lostNode?: string): Promise<JoinInfo> {
    const [timeZone, own] = await Promise.all([zoneOf(row.siteId), sites.get(user.siteIds[0] ?? row.siteId)]);
    return deps.tokens.mint({
      roomId: row.roomId, participantId: user.id, role: staffRole(user), displayName: user.displayName,
      sessionRef: `assistSession:${row.id}`, timeZone, region: own?.region, lostNode,
    });
  }

  /** Everyone who should hear about a change: requester, participants, and every expert rung. */
  async function audience(row: SessionRow): Promise<string[]> {
    const participants = await repo.participantsOf(db, [row.id]);
    return [...new Set([row.requestedBy, ...participants.map((p) => p.staffId), ...row.rungStaffIds])];
  }

  async function notify(row: SessionRow, ringNow: string[] = []): Promise<void> {
    const hall = deps.hall();
    if (!hall) return;
    const session = await view(row);
    const seq = await deps.events.currentSeq(row.siteId);
    if (ringNow.length > 0) hall.to(ringNow.map(hallRooms.staff)).emit('assist.ringing', { seq, session });
    const others = (await audience(row)).filter((id) => !ringNow.includes(id));
    if (others.length > 0) hall.to(others.map(hallRooms.staff)).emit('assist.updated', { seq, session });
  }

  /** May see the session: its participants, experts it rang, and staff of its site other than experts. */
  async function canSee(row: SessionRow, user: StaffUser): Promise<boolean> {
    if (row.rungStaffIds.includes(user.id)) return true;
    if (await repo.isParticipant(db, row.id, user.id)) return true;
    return user.role !== 'expert' && (await sites.canAccess(user, row.siteId));
  }

  async function request(user: StaffUser, body: AssistSessionCreate): Promise<Result<AssistSession>> {
    const site = await sites.get(body.siteId);
    if (!site) return fail('NOT_FOUND', { resource: 'site' });
    if (user.role === 'expert' || !(await sites.canAccess(user, site.id))) return fail('FORBIDDEN', { reason: 'site' });
    if (body.ticketId) {
      const [t] = await db.select({ siteId: tickets.siteId }).from(tickets).where(eq(tickets.id, body.ticketId)).limit(1);
      if (!t || t.siteId !== site.id) return fail('VALIDATION_FAILED', { field: 'ticketId', reason: 'not a ticket of this site' });
    }
    const target = body.target ?? {};
    const now = clock.now();
    const id = randomUUID();
    const result = await db.transaction(async (tx): Promise<Result<{ row: SessionRow; rang: string[] }>> => {
      const step = await planFor(tx, { siteId: site.id, target, requestedAt: now, rung: [] }, now);
      if (!step.ok) return step;
      const plan = step.value;
      const rang = plan.kind === 'ring' ? plan.staffIds : [];
      const [row] = await tx
        .insert(assistSessions)
        .values({
          id, roomId: assistRoomId(id), siteId: site.id, ticketId: body.ticketId ?? null, requestedBy: user.id, reason: body.reason,
          target, status: 'ringing', rungStaffIds: rang, stage: 0,
          nextEscalationAt: new Date(plan.kind === 'giveUp' ? now : plan.nextAt), requestedAt: new Date(now),
          recorded: site.policy.recordSessions === true,
        })
        .returning();
      const inserted = row as SessionRow;
      await tx.insert(assistParticipants).values({ sessionId: id, staffId: user.id, kind: 'requester', addedAt: new Date(now) });
      await repo.appendEvent(tx, { roomId: inserted.roomId, sessionId: id, type: 'requested', actorKind: 'staff', actorId: user.id, at: new Date(now), data: { reason: body.reason, target, ticketId: body.ticketId ?? null } });
      if (plan.kind === 'ring') {
        await repo.appendEvent(tx, { roomId: inserted.roomId, sessionId: id, type: 'rang', actorKind: 'system', at: new Date(now), data: { staffIds: rang, tier: plan.tier, stage: 0 } });
      }
      return ok({ row: inserted, rang });
    });
    if (!result.ok) return result;
    const { row, rang } = result.value;
    await notify(row, rang);
    return ok({ ...(await view(row)), join: await join(row, user) });
  }

  async function accept(id: string, user: StaffUser): Promise<Result<AssistSession>> {
    const current = await repo.findSession(db, id);
    if (!current) return fail('NOT_FOUND', { resource: 'assistSession' });
    if (!current.rungStaffIds.includes(user.id)) return fail('FORBIDDEN', { reason: 'not rung for this request' });
    const now = clock.now();
    const won = await db.transaction(async (tx) => {
      // The conditional update is the race's referee: of two experts accepting at once, the second finds
      // the status no longer 'ringing' (Postgres re-checks the WHERE after the first commits).
      const [row] = await tx
        .update(assistSessions)
        .set({
          status: 'active', acceptedBy: user.id, acceptedAt: new Date(now), nextEscalationAt: null,
          answerMs: Math.max(0, now - current.requestedAt.getTime()),
        })
        .where(and(eq(assistSessions.id, id), eq(assistSessions.status, 'ringing'), sql`${user.id}::uuid = any(${assistSessions.rungStaffIds})`))
        .returning();
      if (!row) return undefined;
      await tx.insert(assistParticipants).values({ sessionId: id, staffId: user.id, kind: 'expert', addedAt: new Date(now) }).onConflictDoNothing();
      await repo.appendEvent(tx, { roomId: row.roomId, sessionId: id, type: 'accepted', actorKind: 'staff', actorId: user.id, at: new Date(now), data: { answerMs: row.answerMs } });
      return row;
    });
    if (!won) {
      const after = await repo.findSession(db, id);
      if (after?.status === 'active' && after.acceptedBy === user.id) {
        // A retried accept by the winner: same answer again.
        return ok({ ...(await view(after)), join: await join(after, user) });
      }
      if (after?.status === 'ended') return fail('SESSION_ENDED');
      return fail('ASSIST_ALREADY_ACCEPTED', { acceptedBy: after?.acceptedBy ?? null });
    }
    await notify(won);
    return ok({ ...(await view(won)), join: await join(won, user) });
  }

  async function get(id: string, user: StaffUser): Promise<Result<AssistSession>> {
    const row = await repo.findSession(db, id);
    if (!row) return fail('NOT_FOUND', { resource: 'assistSession' });
    if (!(await canSee(row, user))) return fail('FORBIDDEN', { reason: 'not your session' });
    return ok(await view(row));
  }

  async function eventLog(id: string, user: StaffUser): Promise<Result<VideoEvent[]>> {
    const row = await repo.findSession(db, id);
    if (!row) return fail('NOT_FOUND', { resource: 'assistSession' });
    if (!(await canSee(row, user))) return fail('FORBIDDEN', { reason: 'not your session' });
    const tz = await zoneOf(row.siteId);
    return ok((await repo.eventsOfRoom(db, row.roomId)).map((e) => toVideoEvent(e, tz)));
  }

  async function list(user: StaffUser, query: { status?: AssistStatus; siteId?: string }): Promise<AssistSession[]> {
    let siteIds: string[] | 'all' = [];
    if (user.role === 'admin') siteIds = 'all';
    else if (user.role !== 'expert') siteIds = [...new Set((await Promise.all(user.siteIds.map((s) => sites.descendants(s)))).flat())];
    const rows = await repo.listSessions(db, {
      staffId: user.id, siteIds, limit: LIST_LIMIT,
      ...(query.status ? { status: query.status } : {}), ...(query.siteId ? { siteId: query.siteId } : {}),
    });
    const ids = rows.map((r) => r.id);
    const [participants, recordings] = await Promise.all([repo.participantsOf(db, ids), repo.recordingsOf(db, ids)]);
    return Promise.all(rows.map(async (r) => toAssistSession(r, await zoneOf(r.siteId), participants.filter((p) => p.sessionId === r.id), recordings.filter((x) => x.sessionId === r.id))));
  }

  /** Participants end a call; supervisors of the site may end one too. Ending a ringing request withdraws it. */
  async function end(id: string, user: StaffUser): Promise<Result<AssistSession>> {
    const current = await repo.findSession(db, id);
    if (!current) return fail('NOT_FOUND', { resource: 'assistSession' });
    const participant = await repo.isParticipant(db, id, user.id);
    const overseer = (user.role === 'supervisor' || user.role === 'admin') && (await sites.canAccess(user, current.siteId));
    if (!participant && !overseer) return fail('FORBIDDEN', { reason: 'not a participant' });
    const now = clock.now();
    const row = await db.transaction(async (tx) => {
      const [updated] = await tx
        .update(assistSessions)
        .set({
          status: 'ended', endedAt: new Date(now), endedBy: user.id, nextEscalationAt: null,
          endReason: sql`case when ${assistSessions.status} = 'ringing' then 'cancelled' else 'completed' end`,
        })
        .where(and(eq(assistSessions.id, id), ne(assistSessions.status, 'ended')))
        .returning();
      if (!updated) return undefined;
      await repo.appendEvent(tx, { roomId: updated.roomId, sessionId: id, type: 'ended', actorKind: 'staff', actorId: user.id, at: new Date(now), data: { reason: updated.endReason } });
      return updated;
    });
    if (!row) return fail('SESSION_ENDED');
    await deps.closeRoom(row.roomId);
    await notify(row);
    return ok(await view(row));
  }

  /** A third party joins mid-call: any participant (or a supervisor of the site) may invite any active staff. */
  async function invite(id: string, user: StaffUser, staffId: string): Promise<Result<AssistSession>> {
    const current = await repo.findSession(db, id);
    if (!current) return fail('NOT_FOUND', { resource: 'assistSession' });
    const participant = await repo.isParticipant(db, id, user.id);
    const overseer = (user.role === 'supervisor' || user.role === 'admin') && (await sites.canAccess(user, current.siteId));
    if (!participant && !overseer) return fail('FORBIDDEN', { reason: 'not a participant' });
    if (current.status === 'ended') return fail('SESSION_ENDED');
    if (current.status !== 'active') return fail('ASSIST_NOT_ACTIVE');
    const invitee = await repo.findStaff(db, staffId);
    if (!invitee || !invitee.active) return fail('VALIDATION_FAILED', { field: 'staffId', reason: 'no such active staff member' });
    const now = clock.now();
    const added = await db.transaction(async (tx) => {
      const [locked] = await tx.select().from(assistSessions).where(eq(assistSessions.id, id)).for('update');
      if (!locked || locked.status !== 'active') return undefined;
      const [row] = await tx
        .insert(assistParticipants)
        .values({ sessionId: id, staffId, kind: 'invited', invitedBy: user.id, addedAt: new Date(now) })
        .onConflictDoNothing()
        .returning();
      if (row) await repo.appendEvent(tx, { roomId: locked.roomId, sessionId: id, type: 'invited', actorKind: 'staff', actorId: user.id, at: new Date(now), data: { staffId } });
      return { session: locked, fresh: row !== undefined };
    });
    if (!added) return fail('SESSION_ENDED');
    if (added.fresh) await notify(added.session, [staffId]);
    return ok(await view(added.session));
  }

  /**
   * A fresh join token for a participant (the token lasts minutes; clients renew while the call lasts).
   * `lostNode`: the media node whose connection the participant has just lost, offered again only if no other is live.
   */
  async function token(id: string, user: StaffUser, lostNode?: string): Promise<Result<JoinInfo>> {
    const row = await repo.findSession(db, id);
    if (!row) return fail('NOT_FOUND', { resource: 'assistSession' });
    if (!(await repo.isParticipant(db, id, user.id))) return fail('FORBIDDEN', { reason: 'not a participant' });
    if (row.status === 'ended') return fail('SESSION_ENDED');
    return ok(await join(row, user, lostNode));
  }

  /** Escalates every ringing session that is due: next expert, next level, or give up. Safe to run twice. */
  async function sweep(): Promise<number> {
    const now = clock.now();
    const due = await repo.dueSessionIds(db, new Date(now), SWEEP_BATCH);
    let changed = 0;
    for (const id of due) {
      try {
        if (await escalate(id, now)) changed += 1;
      } catch (err) {
        deps.log.error({ err, sessionId: id }, 'assist escalation failed');
      }
    }
    return changed;
  }

  async function escalate(id: string, now: number): Promise<boolean> {
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(assistSessions)
        .where(and(eq(assistSessions.id, id), eq(assistSessions.status, 'ringing'), lte(assistSessions.nextEscalationAt, new Date(now))))
        .for('update', { skipLocked: true });
      if (!row) return undefined;
      const step = await planFor(tx, { siteId: row.siteId, target: row.target as AssistTarget, requestedAt: row.requestedAt.getTime(), rung: row.rungStaffIds }, now);
      // A target that no longer resolves (its site was removed) rings nobody new.
      const plan: EscalationStep = step.ok ? step.value : planEscalation({ now, requestedAt: row.requestedAt.getTime(), next: null, policy });
      if (plan.kind === 'ring') {
        const [updated] = await tx
          .update(assistSessions)
          .set({ rungStaffIds: [...row.rungStaffIds, ...plan.staffIds], stage: row.stage + 1, nextEscalationAt: new Date(plan.nextAt) })
          .where(eq(assistSessions.id, id))
          .returning();
        await repo.appendEvent(tx, { roomId: row.roomId, sessionId: id, type: 'rang', actorKind: 'system', at: new Date(now), data: { staffIds: plan.staffIds, tier: plan.tier, stage: row.stage + 1 } });
        return { row: updated as SessionRow, rang: plan.staffIds, ended: false };
      }
      if (plan.kind === 'wait') {
        await tx.update(assistSessions).set({ nextEscalationAt: new Date(plan.nextAt) }).where(eq(assistSessions.id, id));
        return undefined;
      }
      const [ended] = await tx
        .update(assistSessions)
        .set({ status: 'ended', endReason: 'unanswered', endedAt: new Date(now), nextEscalationAt: null })
        .where(eq(assistSessions.id, id))
        .returning();
      await repo.appendEvent(tx, { roomId: row.roomId, sessionId: id, type: 'unanswered', actorKind: 'system', at: new Date(now), data: { rung: row.rungStaffIds.length } });
      return { row: ended as SessionRow, rang: [], ended: true };
    });
    if (!outcome) return false;
    if (outcome.ended) await deps.closeRoom(outcome.row.roomId);
    await notify(outcome.row, outcome.rang);
    return true;
  }

  async function isRoomOpen(sessionId: string): Promise<boolean> {
    const row = await repo.findSession(db, sessionId);
    return row !== undefined && row.status !== 'ended';
  }

  /** An expert's console says it is (un)available; going online may ring it for a request already waiting. */
  async function setPresence(user: StaffUser, online: boolean): Promise<Result<{ staffId: string; online: boolean }>> {
    if (user.role !== 'expert') return fail('FORBIDDEN', { reason: 'role' });
    await repo.setOnline(db, user.id, online);
    if (online) {
      // Requests that found nobody wait in 'recheck' state: look at them now rather than in up to 10 s.
      await db
        .update(assistSessions)
        .set({ nextEscalationAt: new Date(clock.now()) })
        .where(and(eq(assistSessions.status, 'ringing'), sql`cardinality(${assistSessions.rungStaffIds}) = 0`));
      await sweep();
    }
    return ok({ staffId: user.id, online });
  }

  return { request, accept, get, eventLog, list, end, invite, token, sweep, isRoomOpen, setPresence };
}

export type AssistService = ReturnType<typeof createAssistService>;
