/**
 * Cases: 办不成事 reports, bad ratings and complaints, from filing to revisit. Each operation locks the case,
 * asks the pure core whether the step is allowed, writes the case and its append-only event in one
 * transaction. Deadlines are working days (core/working-days.ts); a periodic sweep warns before and
 * escalates after them, reading everything from the database so a restarted node picks up where it was.
 */
import type { Config } from '../config.ts';
import type { Case, CaseCreate, CaseListQuery } from '../contracts/cases.ts';
import type { StaffUser } from '../contracts/dto.ts';
import type { CaseDeadlineEvent } from '../contracts/events.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import type { Db, Tx } from '../db/client.ts';
import { services, staff, tickets } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import { checkCitizen, normalizeMobile } from '../lib/personal-data.ts';
import { hashToken, newToken, seal, unseal } from '../lib/secrets.ts';
import { isoInZone, localDate } from '../lib/time.ts';
import type { HallEvents } from '../events/hall-events.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { and, eq } from 'drizzle-orm';
import {
  caseDeadlines, caseTransition, DEFAULT_CASE_POLICY, makeCalendar, redactPersonalData, resolutionDeadline, timerActions,
  type CaseCommand, type CaseKind, type CasePolicy, type CaseTimeLimits, type WorkCalendar, type WorkingDayRules,
} from './core/index.ts';
import { toCase } from './cases.mapper.ts';
import * as repo from './cases.repository.ts';
import type { CaseRow } from './cases.repository.ts';

export type CaseActor = { kind: 'staff'; user: StaffUser } | { kind: 'citizen' } | { kind: 'system' };

export interface CasesDeps {
  db: Db;
  clock: Clock;
  sites: SiteDirectory;
  config: Pick<Config, 'secret' | 'cases'>;
  /** Live alerts to the site's staff when a deadline is near or passed. */
  events?: Pick<HallEvents, 'caseDeadline'>;
}

/** Number prefixes: BC 办不成事, CP 差评, TS 投诉. */
const PREFIX: Record<CaseKind, string> = { cannotBeDone: 'BC', badRating: 'CP', complaint: 'TS' };

/** Rationale: a sweep handles at most this many cases per run; the next run (a minute later) takes the rest. */
const SWEEP_BATCH = 500;

/** What opening a case needs; the rating service opens one inside its own transaction. */
export interface OpenCaseInput {
  siteId: string;
  kind: CaseKind;
  description: string;
  source: CaseRow['source'];
  serviceId?: string | null;
  ticketId?: string | null;
  ratingId?: string | null;
  contact?: { nameMasked: string | null; phoneMasked: string | null; phoneSealed: string | null };
  /** The token's hash that lets the citizen follow the case (a rating reuses its ticket's). */
  accessTokenHash: string;
  filedById?: string | null;
  complex?: boolean;
}

export function casePolicyFromConfig(config: Pick<Config, 'cases'>): { policy: CasePolicy; calendar: WorkCalendar } {
  const limits: Record<CaseKind, CaseTimeLimits> = { ...DEFAULT_CASE_POLICY.limits };
  for (const [kind, [reply, resolve, complex]] of Object.entries(config.cases.limits)) {
    if (kind in limits) limits[kind as CaseKind] = { replyWorkingDays: reply, resolveWorkingDays: resolve, complexResolveWorkingDays: complex };
  }
  return {
    policy: { limits, warnBeforeMin: config.cases.warnBeforeMin },
    calendar: makeCalendar({ national: config.cases.nationalCalendar, holidays: config.cases.holidays, extraWorkdays: config.cases.extraWorkdays }),
  };
}

export function createCasesService(deps: CasesDeps) {
  const { db, clock } = deps;
  const { policy, calendar } = casePolicyFromConfig(deps.config);

  async function rulesFor(siteId: string, tx?: Tx): Promise<WorkingDayRules> {
    const timeZone = (await deps.sites.get(siteId, tx))?.timeZone ?? 'Asia/Shanghai';
    return { timeZone, calendar, cutoff: deps.config.cases.cutoff, dueTime: deps.config.cases.dueTime };
  }

  async function present(row: CaseRow, viewer: 'staff' | 'citizen', options: { events?: boolean; accessToken?: string } = {}): Promise<Case> {
    const { timeZone } = await rulesFor(row.siteId);
    const events = options.events ? await repo.eventsOf(db, row.id) : undefined;
    return toCase(row, timeZone, clock.now(), { viewer, ...(events ? { events } : {}), ...(options.accessToken ? { accessToken: options.accessToken } : {}) });
  }

  /** Opens a case in `tx`: number, deadlines, the `opened` event. */
  async function openInTx(tx: Tx, input: OpenCaseInput, actor: CaseActor): Promise<CaseRow> {
    const now = clock.now();
    const rules = await rulesFor(input.siteId, tx);
    const complex = input.complex ?? false;
    const deadlines = caseDeadlines({ kind: input.kind, complex, openedAt: now, policy, rules });
    const day = localDate(now, rules.timeZone);
    const seq = await repo.nextNumber(tx, PREFIX[input.kind], day);
    const row = await repo.insertCase(tx, {
      number: `${PREFIX[input.kind]}${day.replaceAll('-', '')}${String(seq).padStart(4, '0')}`,
      siteId: input.siteId,
      kind: input.kind,
      status: 'open',
      complex,
      source: input.source,
      description: redactPersonalData(input.description),
      serviceId: input.serviceId ?? null,
      ticketId: input.ticketId ?? null,
      ratingId: input.ratingId ?? null,
      contactNameMasked: input.contact?.nameMasked ?? null,
      contactPhoneMasked: input.contact?.phoneMasked ?? null,
      contactPhoneSealed: input.contact?.phoneSealed ?? null,
      accessTokenHash: input.accessTokenHash,
      filedById: input.filedById ?? null,
      openedAt: new Date(now),
      replyDueAt: new Date(deadlines.replyDueAt),
      deadlineAt: new Date(deadlines.deadlineAt),
      updatedAt: new Date(now),
    });
    await repo.appendEvent(tx, {
      caseId: row.id, siteId: row.siteId, type: 'opened', fromStatus: null, toStatus: 'open', ...actorFields(actor), at: new Date(now),
      note: row.description, data: { kind: row.kind, source: row.source },
    });
    return row;
  }

  /** POST /cases: a citizen online, or staff at the 办不成事 window on the citizen's behalf. */
  async function file(input: CaseCreate, filedBy: StaffUser | null): Promise<Result<Case>> {
    const site = await deps.sites.get(input.siteId);
    if (!site) return fail('NOT_FOUND', { resource: 'site' });
    if (filedBy && !(await deps.sites.canAccess(filedBy, input.siteId))) return fail('FORBIDDEN', { reason: 'site' });
    const contact = checkCitizen({ ...(input.contact.name !== undefined ? { name: input.contact.name } : {}), phone: input.contact.phone }, deps.config.secret, ['phone']);
    if (!contact.ok) return fail('VALIDATION_FAILED', { field: contact.field.replace('citizen.', 'contact.'), reason: contact.reason });
    let complex = false;
    if (input.serviceId) {
      const [svc] = await db.select().from(services).where(eq(services.id, input.serviceId)).limit(1);
      if (!svc || svc.siteId !== input.siteId) return fail('VALIDATION_FAILED', { field: 'serviceId', reason: 'not an item of this site' });
      complex = svc.complexity === 'complex';
    }
    if (input.ticketId) {
      const [t] = await db.select({ siteId: tickets.siteId }).from(tickets).where(eq(tickets.id, input.ticketId)).limit(1);
      if (!t || t.siteId !== input.siteId) return fail('VALIDATION_FAILED', { field: 'ticketId', reason: 'not a ticket of this site' });
    }
    const accessToken = newToken();
    const row = await db.transaction((tx) =>
      openInTx(tx, {
        siteId: input.siteId, kind: input.kind, description: input.description, source: filedBy ? 'staff' : 'citizen',
        serviceId: input.serviceId ?? null, ticketId: input.ticketId ?? null, complex,
        contact: { nameMasked: contact.value.nameMasked, phoneMasked: contact.value.phoneMasked, phoneSealed: contact.value.phone ? seal(contact.value.phone, deps.config.secret) : null },
        accessTokenHash: hashToken(accessToken), filedById: filedBy?.id ?? null,
      }, filedBy ? { kind: 'staff', user: filedBy } : { kind: 'citizen' }),
    );
    return ok(await present(row, filedBy ? 'staff' : 'citizen', { events: true, accessToken }));
  }

  /** Who may see a case: staff of its site (or above), or the citizen holding its token. */
  async function viewerOf(row: CaseRow, who: { user: StaffUser | null; token: string | null }, tx?: Tx): Promise<Result<'staff' | 'citizen'>> {
    if (who.user) return (await deps.sites.canAccess(who.user, row.siteId, tx)) ? ok('staff') : fail('FORBIDDEN', { reason: 'site' });
    if (!who.token) return fail('UNAUTHENTICATED', { reason: 'access token required' });
    return hashToken(who.token) === row.accessTokenHash ? ok('citizen') : fail('FORBIDDEN', { reason: 'not your case' });
  }

  async function get(id: string, who: { user: StaffUser | null; token: string | null }): Promise<Result<Case>> {
    const row = await repo.findCase(db, id);
    if (!row) return fail('NOT_FOUND', { resource: 'case' });
    const viewer = await viewerOf(row, who);
    if (!viewer.ok) return viewer;
    return ok(await present(row, viewer.value, { events: true }));
  }

  /** A citizen who lost its link: the case number and the phone it gave. Same answer for "no such case" and "wrong phone". */
  async function lookup(number: string, phone: string): Promise<Result<Case>> {
    const row = await repo.findByNumber(db, number);
    const given = normalizeMobile(phone);
    const stored = row?.contactPhoneSealed ? unseal(row.contactPhoneSealed, deps.config.secret) : null;
    if (!row || !given || !stored || given !== stored) return fail('NOT_FOUND', { resource: 'case' });
    return ok(await present(row, 'citizen', { events: true }));
  }

  async function list(q: CaseListQuery, user: StaffUser): Promise<Result<{ items: Case[]; total: number }>> {
    let siteIds: string[] | null;
    if (q.siteId) {
      if (!(await deps.sites.get(q.siteId))) return fail('NOT_FOUND', { resource: 'site' });
      if (!(await deps.sites.canAccess(user, q.siteId))) return fail('FORBIDDEN', { reason: 'site' });
      siteIds = q.includeChildren ? await deps.sites.descendants(q.siteId) : [q.siteId];
    } else if (user.role === 'admin') {
      siteIds = null;
    } else {
      const mine = await Promise.all(user.siteIds.map((s) => deps.sites.descendants(s)));
      siteIds = [...new Set(mine.flat())];
    }
    // A clerk sees the cases assigned to it (its to-do list); supervisors see everything of their sites.
    const assigneeId = user.role === 'clerk' ? user.id : q.assigneeId;
    const { rows, total } = await repo.listCases(db, {
      siteIds, limit: q.limit ?? 50, offset: q.offset ?? 0,
      ...(q.status ? { status: q.status } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(assigneeId ? { assigneeId } : {}),
      ...(q.overdue ? { overdueAt: clock.now() } : {}),
    });
    return ok({ items: await Promise.all(rows.map((r) => present(r, 'staff'))), total });
  }

  interface StepOptions {
    /** Checks beyond the state machine (who may act), with the locked row. */
    authorise: (row: CaseRow, tx: Tx) => Promise<Result<true>>;
    set?: (row: CaseRow, now: number, tx: Tx) => Promise<Partial<repo.CaseInsert>> | Partial<repo.CaseInsert>;
    eventType: string;
    note?: string | null;
    data?: Record<string, unknown>;
  }

  /** The one path for every staff and citizen step on a case. */
  async function step(id: string, command: CaseCommand, actor: CaseActor, o: StepOptions, viewer: 'staff' | 'citizen' = 'staff'): Promise<Result<Case>> {
    const now = clock.now();
    const result = await db.transaction(async (tx): Promise<Result<CaseRow>> => {
      const row = await repo.findCase(tx, id, true);
      if (!row) return fail('NOT_FOUND', { resource: 'case' });
      const allowed = await o.authorise(row, tx);
      if (!allowed.ok) return allowed;
      const t = caseTransition(row.status, command, { assigned: row.assigneeId !== null, replied: row.firstRepliedAt !== null });
      if (!t.ok) return fail('INVALID_TRANSITION', { from: row.status, command });
      const set = o.set ? await o.set(row, now, tx) : {};
      const updated = await repo.updateCase(tx, row.id, { ...set, status: t.to, updatedAt: new Date(now) });
      await repo.appendEvent(tx, {
        caseId: row.id, siteId: row.siteId, type: o.eventType, fromStatus: row.status, toStatus: t.to, ...actorFields(actor),
        at: new Date(now), note: o.note ?? null, data: o.data ?? null,
      });
      return ok(updated);
    });
    return result.ok ? ok(await present(result.value, viewer, { events: true })) : result;
  }

  const isSupervisor = (u: StaffUser) => u.role === 'supervisor' || u.role === 'admin';

  /** Supervisors (and admins) of the site; with `orAssignee`, also the staff member the case is assigned to. */
  function staffGuard(user: StaffUser, orAssignee = false) {
    return async (row: CaseRow, tx: Tx): Promise<Result<true>> => {
      if (!(await deps.sites.canAccess(user, row.siteId, tx))) return fail('FORBIDDEN', { reason: 'site' });
      if (isSupervisor(user) || (orAssignee && row.assigneeId === user.id)) return ok(true);
      return fail('FORBIDDEN', { reason: 'role' });
    };
  }

  async function assign(id: string, user: StaffUser, body: { assigneeId: string; complex?: boolean; note?: string }): Promise<Result<Case>> {
    return step(id, 'assign', { kind: 'staff', user }, {
      authorise: async (row, tx) => {
        const guard = await staffGuard(user)(row, tx);
        if (!guard.ok) return guard;
        const [assignee] = await tx.select().from(staff).where(and(eq(staff.id, body.assigneeId), eq(staff.active, true))).limit(1);
        if (!assignee) return fail('VALIDATION_FAILED', { field: 'assigneeId', reason: 'no such active staff member' });
        const asUser: StaffUser = { id: assignee.id, username: assignee.username, displayName: assignee.displayName, role: assignee.role, siteIds: assignee.siteIds, skills: assignee.skills };
        if (assignee.role === 'expert' || !(await deps.sites.canAccess(asUser, row.siteId, tx))) return fail('VALIDATION_FAILED', { field: 'assigneeId', reason: 'not staff of this site' });
        return ok(true);
      },
      set: async (row, now, tx) => {
        const out: Partial<repo.CaseInsert> = { assigneeId: body.assigneeId };
        if (body.complex !== undefined && body.complex !== row.complex) {
          // The resolution limit follows the flag, counted from when the current round of work began.
          const from = row.reopenCount > 0 && row.revisitedAt ? row.revisitedAt.getTime() : row.openedAt.getTime();
          const deadline = resolutionDeadline({ kind: row.kind, complex: body.complex, fromMs: from, policy, rules: await rulesFor(row.siteId, tx) });
          out.complex = body.complex;
          out.deadlineAt = new Date(deadline);
          if (deadline > now) Object.assign(out, { resolveWarnedAt: null, resolveEscalatedAt: null });
        }
        return out;
      },
      eventType: 'assigned',
      note: body.note ? redactPersonalData(body.note) : null,
      data: { assigneeId: body.assigneeId, ...(body.complex !== undefined ? { complex: body.complex } : {}) },
    });
  }

  async function reply(id: string, user: StaffUser, message: string): Promise<Result<Case>> {
    const text = redactPersonalData(message);
    return step(id, 'reply', { kind: 'staff', user }, {
      authorise: staffGuard(user, true),
      set: (row, now) => ({ lastReply: text, firstRepliedAt: row.firstRepliedAt ?? new Date(now) }),
      eventType: 'replied',
      note: text,
    });
  }

  async function resolve(id: string, user: StaffUser, resolution: string): Promise<Result<Case>> {
    const text = redactPersonalData(resolution);
    return step(id, 'resolve', { kind: 'staff', user }, {
      authorise: staffGuard(user, true),
      set: (_row, now) => ({ resolution: text, resolvedAt: new Date(now) }),
      eventType: 'resolved',
      note: text,
    });
  }

  /**
   * 回访: the citizen (its token) or a supervisor recording a phone revisit accepts or rejects the result.
   * A rejection reopens the case with a fresh resolution limit counted from now.
   */
  async function revisit(id: string, who: { user: StaffUser | null; token: string | null }, body: { accepted: boolean; comment?: string }): Promise<Result<Case>> {
    const comment = body.comment ? redactPersonalData(body.comment) : null;
    const actor: CaseActor = who.user ? { kind: 'staff', user: who.user } : { kind: 'citizen' };
    return step(id, body.accepted ? 'accept' : 'reject', actor, {
      authorise: async (row, tx) => {
        const v = await viewerOf(row, who, tx);
        if (!v.ok) return v;
        if (who.user && !isSupervisor(who.user)) return fail('FORBIDDEN', { reason: 'role' });
        return ok(true);
      },
      set: async (row, now, tx) => {
        const base: Partial<repo.CaseInsert> = { revisitedAt: new Date(now), revisitOutcome: body.accepted ? 'accepted' : 'rejected', revisitComment: comment };
        if (body.accepted) return base;
        const deadline = resolutionDeadline({ kind: row.kind, complex: row.complex, fromMs: now, policy, rules: await rulesFor(row.siteId, tx) });
        return { ...base, reopenCount: row.reopenCount + 1, resolvedAt: null, resolution: null, deadlineAt: new Date(deadline), resolveWarnedAt: null, resolveEscalatedAt: null };
      },
      eventType: body.accepted ? 'accepted' : 'rejected',
      note: comment,
    }, who.user ? 'staff' : 'citizen');
  }

  async function close(id: string, user: StaffUser, note?: string): Promise<Result<Case>> {
    return step(id, 'close', { kind: 'staff', user }, {
      authorise: staffGuard(user),
      set: (_row, now) => ({ closedAt: new Date(now) }),
      eventType: 'closed',
      note: note ? redactPersonalData(note) : null,
    });
  }

  /**
   * The timer sweep: warnings before, escalations after each deadline. Idempotent (each action sets its flag
   * in the same transaction as its event) and restart-safe (everything it needs is in the database).
   */
  async function sweep(): Promise<{ warned: number; escalated: number }> {
    const now = clock.now();
    const due = await repo.dueForTimers(db, now, now + policy.warnBeforeMin * 60_000, SWEEP_BATCH);
    let warned = 0;
    let escalated = 0;
    for (const { id } of due) {
      const alerts: Omit<CaseDeadlineEvent, 'seq'>[] = [];
      await db.transaction(async (tx) => {
        const row = await repo.lockForSweep(tx, id);
        if (!row) return;
        const actions = timerActions({
          status: row.status, replyDueAt: row.replyDueAt.getTime(), deadlineAt: row.deadlineAt.getTime(),
          firstRepliedAt: row.firstRepliedAt?.getTime() ?? null,
          replyWarnedAt: row.replyWarnedAt?.getTime() ?? null, replyEscalatedAt: row.replyEscalatedAt?.getTime() ?? null,
          resolveWarnedAt: row.resolveWarnedAt?.getTime() ?? null, resolveEscalatedAt: row.resolveEscalatedAt?.getTime() ?? null,
        }, now, policy.warnBeforeMin);
        let status = row.status;
        for (const a of actions) {
          const flag = `${a.stage}${a.type === 'warn' ? 'Warned' : 'Escalated'}At` as 'replyWarnedAt' | 'replyEscalatedAt' | 'resolveWarnedAt' | 'resolveEscalatedAt';
          const before = status;
          if (a.type === 'escalate') {
            const t = caseTransition(status, 'escalate', { assigned: row.assigneeId !== null, replied: row.firstRepliedAt !== null });
            if (t.ok) status = t.to;
            escalated++;
          } else {
            warned++;
          }
          await repo.updateCase(tx, row.id, { [flag]: new Date(now), status, updatedAt: new Date(now) });
          await repo.appendEvent(tx, {
            caseId: row.id, siteId: row.siteId, type: a.type === 'warn' ? 'warned' : 'escalated', fromStatus: before, toStatus: status,
            actorKind: 'system', actorId: null, at: new Date(now), note: null, data: { stage: a.stage, dueAt: new Date(a.dueAt).toISOString() },
          });
          alerts.push({ siteId: row.siteId, caseId: row.id, number: row.number, stage: a.stage, type: a.type === 'warn' ? 'warned' : 'escalated', dueAt: isoInZone(a.dueAt, (await rulesFor(row.siteId, tx)).timeZone) });
        }
      });
      // After the commit: staff never hear of a warning that was rolled back.
      for (const alert of alerts) await deps.events?.caseDeadline(alert);
    }
    return { warned, escalated };
  }

  return { file, get, lookup, list, assign, reply, resolve, revisit, close, sweep, openInTx, present, policy, calendar, rulesFor };
}

function actorFields(actor: CaseActor): { actorKind: 'staff' | 'citizen' | 'system'; actorId: string | null } {
  return actor.kind === 'staff' ? { actorKind: 'staff', actorId: actor.user.id } : { actorKind: actor.kind, actorId: null };
}

export type CasesService = ReturnType<typeof createCasesService>;
