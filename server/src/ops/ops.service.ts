/**
 * Operations: service statistics over a date range (the nightly roll-up plus today's live tickets, through
 * the same pure reduction) and the staffing planner (history and bookings in, ops/core's engines out).
 */
import type { Config } from '../config.ts';
import type { StaffUser } from '../contracts/dto.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import type { StaffingPlanQuery, StaffingPlanView, StatsQuery, StatsView } from '../contracts/ops.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { isoInZone, localDate, zonedTimeToMs } from '../lib/time.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { addCalendarDays, isWorkingDay, weekday, type WorkCalendar } from '../cases/core/index.ts';
import { overdue } from '../cases/core/index.ts';
import { planStaffing, type HourCount, type PlanService } from './core/index.ts';
import * as repo from './ops.repository.ts';
import {
  emptyFacts, factsOfDay, mergeFacts, summariseClerk, summariseService, summariseWindow, totalOf, waitEstimateOf, type DayFacts,
} from './stats-facts.ts';

export interface OpsDeps {
  db: Db;
  clock: Clock;
  sites: SiteDirectory;
  config: Pick<Config, 'cases'>;
  calendar: WorkCalendar;
}

/** Rationale: a year is the longest report a supervisor asks for (annual 好差评 figures); it bounds the work. */
const MAX_RANGE_DAYS = 366;
/** Rationale: eight same weekdays of history follow a seasonal change within two months and smooth one odd day. */
const HISTORY_WEEKS = 8;
/** Rationale: fewer handled tickets than this say little about the spread; Erlang C's exponential (CV 1) is used. */
const MIN_CV_SAMPLES = 30;
/** A hall's usual day when neither booking rules nor history say otherwise: 09:00–12:00 and 13:00–17:00. */
const DEFAULT_OPENING_HOURS = [9, 10, 11, 13, 14, 15, 16];
const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

export function createOpsService(deps: OpsDeps) {
  const { db, clock } = deps;

  async function authorisedSite(siteId: string, user: StaffUser): Promise<Result<{ timeZone: string; name: string }>> {
    const site = await deps.sites.get(siteId);
    if (!site) return fail('NOT_FOUND', { resource: 'site' });
    if (!(await deps.sites.canAccess(user, siteId))) return fail('FORBIDDEN', { reason: 'site' });
    return ok({ timeZone: site.timeZone, name: site.name });
  }

  /** The end of a site's local day: open intervals of a past day are closed there, today's at `now`. */
  async function dayEnd(siteId: string, day: string): Promise<number> {
    const tz = (await deps.sites.get(siteId))?.timeZone ?? 'Asia/Shanghai';
    return zonedTimeToMs(addCalendarDays(day, 1), '00:00', tz);
  }

  /** Live facts per (site, day) of these tickets. */
  async function liveFacts(rows: repo.SiteDayTicket[]): Promise<Map<string, DayFacts>> {
    const groups = new Map<string, repo.SiteDayTicket[]>();
    for (const r of rows) {
      const key = `${r.siteId}|${r.day}`;
      const list = groups.get(key) ?? [];
      list.push(r);
      groups.set(key, list);
    }
    const out = new Map<string, DayFacts>();
    for (const [key, list] of groups) {
      const [siteId, day] = key.split('|') as [string, string];
      out.set(key, factsOfDay(list, Math.min(clock.now(), await dayEnd(siteId, day))));
    }
    return out;
  }

  /** GET /sites/:siteId/stats. */
  async function stats(siteId: string, q: StatsQuery, user: StaffUser): Promise<Result<StatsView>> {
    const site = await authorisedSite(siteId, user);
    if (!site.ok) return site;
    const now = clock.now();
    const to = q.to ?? localDate(now, site.value.timeZone);
    const from = q.from ?? to;
    if (from > to) return fail('VALIDATION_FAILED', { field: 'querystring.from', reason: 'from is after to' });
    if (daysBetween(from, to) >= MAX_RANGE_DAYS) return fail('VALIDATION_FAILED', { field: 'querystring.from', reason: `at most ${MAX_RANGE_DAYS} days` });
    const siteIds = q.includeChildren ? await deps.sites.descendants(siteId) : [siteId];

    const [rolled, live] = await Promise.all([repo.rolledUp(db, siteIds, from, to), repo.ticketFacts(db, siteIds, from, to, true)]);
    const liveBySiteDay = await liveFacts(live);
    const perSite = new Map<string, DayFacts[]>();
    const add = (sid: string, f: DayFacts) => perSite.set(sid, [...(perSite.get(sid) ?? []), f]);
    for (const r of rolled) add(r.siteId, r.facts);
    for (const [key, f] of liveBySiteDay) add(key.split('|')[0] as string, f);
    const siteFacts = new Map([...perSite].map(([sid, list]) => [sid, mergeFacts(list)]));
    const all = mergeFacts(siteFacts.values());
    const total = summariseService(totalOf(all));

    const fromMs = zonedTimeToMs(from, '00:00', site.value.timeZone);
    const toMs = zonedTimeToMs(addCalendarDays(to, 1), '00:00', site.value.timeZone);
    const [ratingRows, caseRows, n, updates] = await Promise.all([
      repo.ratingFigures(db, siteIds, fromMs, toMs),
      repo.caseRows(db, siteIds, fromMs, toMs),
      repo.names(db, { services: Object.keys(all.byService), windows: Object.keys(all.byWindow), staff: Object.keys(all.byClerk) }),
      repo.estimateUpdateFigures(db, siteIds, fromMs, toMs),
    ]);
    const byScore = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
    let ratingSum = 0;
    let ratingCount = 0;
    for (const r of ratingRows) {
      byScore[r.score as 1 | 2 | 3 | 4 | 5] = r.n;
      ratingSum += r.score * r.n;
      ratingCount += r.n;
    }
    const replied = caseRows.filter((c) => c.firstRepliedAt !== null);
    const siteNames = new Map((await deps.sites.all()).map((s) => [s.id, s.name]));

    return ok({
      siteId, siteIds, from, to,
      generatedAt: isoInZone(now, site.value.timeZone),
      tickets: total.tickets, served: total.served, noShows: total.noShows, cancelled: total.cancelled, transferred: total.transferred,
      avgWaitMin: total.avgWaitMin, p90WaitMin: total.p90WaitMin, waitSlaMet: total.waitSlaMet, handleSlaMet: total.handleSlaMet, meanHandleMin: total.meanHandleMin,
      byService: Object.entries(all.byService)
        .map(([serviceId, s]) => ({ serviceId, name: n.services.get(serviceId) ?? '', ...summariseService(s) }))
        .sort((a, b) => b.tickets - a.tickets),
      byWindow: Object.entries(all.byWindow)
        .map(([windowId, w]) => ({ windowId, number: n.windows.get(windowId)?.number ?? null, name: n.windows.get(windowId)?.name ?? '', ...summariseWindow(w) }))
        .sort((a, b) => (a.number ?? 0) - (b.number ?? 0)),
      clerks: Object.entries(all.byClerk)
        .map(([staffId, c]) => ({ staffId, displayName: n.staff.get(staffId) ?? '', ...summariseClerk(c) }))
        .sort((a, b) => b.calls - a.calls),
      ...(q.includeChildren
        ? { bySite: siteIds.map((sid) => ({ siteId: sid, name: siteNames.get(sid) ?? '', ...summariseService(totalOf(siteFacts.get(sid) ?? emptyFacts())) })) }
        : {}),
      waitEstimate: {
        ...waitEstimateOf(totalOf(all)),
        updates: {
          count: updates.count,
          maeMin: updates.mae === null ? null : Math.round(updates.mae * 10) / 10,
          biasMin: updates.bias === null ? null : Math.round(updates.bias * 10) / 10,
          rangeShown: updates.shown,
          shareInRange: updates.inRange === null ? null : Math.round(updates.inRange * 1000) / 1000,
        },
      },
      ratings: { count: ratingCount, avg: ratingCount ? Math.round((ratingSum / ratingCount) * 100) / 100 : null, bad: byScore[1] + byScore[2], byScore },
      cases: {
        count: caseRows.length,
        open: caseRows.filter((c) => c.resolvedAt === null).length,
        overdue: caseRows.filter((c) => overdue({ status: c.status, deadlineAt: c.deadlineAt.getTime(), resolvedAt: c.resolvedAt?.getTime() ?? null }, now)).length,
        replyOverdue: caseRows.filter((c) => (c.firstRepliedAt?.getTime() ?? now) > c.replyDueAt.getTime()).length,
        meanReplyMin: replied.length
          ? Math.round((replied.reduce((s, c) => s + ((c.firstRepliedAt as Date).getTime() - c.openedAt.getTime()), 0) / replied.length / 60_000) * 10) / 10
          : null,
        byKind: {
          cannotBeDone: caseRows.filter((c) => c.kind === 'cannotBeDone').length,
          badRating: caseRows.filter((c) => c.kind === 'badRating').length,
          complaint: caseRows.filter((c) => c.kind === 'complaint').length,
        },
      },
      rolledUpDays: rolled.length,
    });
  }

  /**
   * The nightly roll-up: each site's finished days not rolled up yet (and the last two again), as upserts.
   * Idempotent and restart-safe: what to do is read from the database each time.
   */
  async function rollup(): Promise<{ siteId: string; day: string }[]> {
    const now = clock.now();
    const done: { siteId: string; day: string }[] = [];
    for (const site of await deps.sites.all()) {
      const today = localDate(now, site.timeZone);
      const days = await repo.daysToRollUp(db, site.id, today);
      if (days.length === 0) continue;
      const rows = await repo.ticketFacts(db, [site.id], days[0] as string, days[days.length - 1] as string, false);
      const facts = await liveFacts(rows.filter((r) => r.day < today));
      for (const day of days) {
        const f = facts.get(`${site.id}|${day}`);
        if (!f) continue;
        await repo.upsertRollup(db, { siteId: site.id, day, tickets: rows.filter((r) => r.day === day).length, facts: f, computedAt: new Date(now) });
        done.push({ siteId: site.id, day });
      }
    }
    return done;
  }

  /** GET /sites/:siteId/staffing-plan. */
  async function staffingPlan(siteId: string, q: StaffingPlanQuery, user: StaffUser): Promise<Result<StaffingPlanView>> {
    const site = await authorisedSite(siteId, user);
    if (!site.ok) return site;
    const tz = site.value.timeZone;
    const now = clock.now();
    const date = q.date ?? localDate(now, tz);
    const serviceLevel = q.serviceLevel ?? 0.9;
    const engine = q.engine ?? 'simulation';
    const whatIf = q.arrivalsPerHour !== undefined || q.meanHandleMin !== undefined || q.targetWaitMin !== undefined;

    // History: the same weekday over the last weeks (a make-up working day 调休 plays as a Monday), days the hall
    // was open only, holidays left out.
    const wd = weekday(date);
    const asWeekday = wd === 0 || wd === 6 ? (deps.calendar.extraWorkdays.has(date) ? 1 : wd) : wd;
    const candidates: string[] = [];
    for (let back = 1; candidates.length < HISTORY_WEEKS && back <= HISTORY_WEEKS * 7 * 2; back++) {
      const d = addCalendarDays(date, -back);
      if (d >= localDate(now, tz)) continue;
      if (weekday(d) === asWeekday && (isWorkingDay(d, deps.calendar) || wd === 0 || wd === 6)) candidates.push(d);
    }
    const [svcRows, arrivals, handling, booked, rules] = await Promise.all([
      repo.siteServices(db, siteId),
      repo.arrivalsByHour(db, siteId, candidates, tz),
      repo.handlingTimes(db, siteId, zonedTimeToMs(addCalendarDays(date, -HISTORY_WEEKS * 7), '00:00', tz)),
      repo.bookedByHour(db, siteId, date, tz),
      repo.bookingOpeningHours(db, siteId),
    ]);
    const openDays = new Set(arrivals.map((a) => a.day));
    const historyDays = openDays.size;
    const priority = await repo.priorityShare(db, siteId, [...openDays]);

    const walkIns = new Map<string, HourCount>();
    for (const a of arrivals) {
      const key = `${a.hour}|${a.serviceId}`;
      const c = walkIns.get(key) ?? { hour: a.hour, serviceId: a.serviceId, count: 0 };
      c.count += a.n / historyDays;
      walkIns.set(key, c);
    }
    const appointments: HourCount[] = booked.map((b) => ({ hour: b.hour, serviceId: b.serviceId, count: b.n }));
    const bookedCount = appointments.reduce((s, a) => s + a.count, 0);

    // Opening hours: the booking rules of the day; else the hours that had arrivals; else a usual hall day.
    const key = WEEKDAY_KEYS[wd] as string;
    const fromRules = new Set<number>();
    let closedByRules = rules.length > 0;
    for (const r of rules) {
      if (r.closedDates.includes(date)) continue;
      closedByRules = false;
      for (const [start, end] of r.openingHours[key] ?? []) {
        const [sh, sm] = start.split(':').map(Number) as [number, number];
        const [eh, em] = end.split(':').map(Number) as [number, number];
        for (let h = sh; h * 60 < eh * 60 + em; h++) if (h * 60 + 60 > sh * 60 + sm) fromRules.add(h);
      }
    }
    // An hour is open by history when at least half the open days had arrivals in it (not a straggler at 17:05).
    const daysPerHour = new Map<number, Set<string>>();
    for (const a of arrivals) daysPerHour.set(a.hour, (daysPerHour.get(a.hour) ?? new Set()).add(a.day));
    const fromHistory = [...daysPerHour].filter(([, d]) => d.size * 2 >= historyDays).map(([h]) => h);
    const holiday = deps.calendar.holidays.has(date) && !deps.calendar.extraWorkdays.has(date);
    let openingHours: number[];
    if (!whatIf && (holiday || closedByRules)) openingHours = [];
    else if (fromRules.size > 0) openingHours = [...fromRules];
    else if (fromHistory.length > 0) openingHours = fromHistory;
    // A weekend without rules or history is a day the hall is closed, unless the supervisor asks "what if".
    else openingHours = whatIf || isWorkingDay(date, deps.calendar) ? [...DEFAULT_OPENING_HOURS] : [];
    if (openingHours.length > 0) for (const a of appointments) if (!openingHours.includes(a.hour)) openingHours.push(a.hour);
    openingHours.sort((a, b) => a - b);

    const handleBy = new Map(handling.map((h) => [h.serviceId, h]));
    const planServices: PlanService[] = svcRows.map((s) => ({
      id: s.id, complexity: s.complexity, targetWaitMin: s.targetWaitMin, targetHandleMin: s.targetHandleMin,
      meanHandleMin: handleBy.get(s.id)?.mean ?? null,
    }));
    // The spread of handling times, pooled over items (CV = sd / mean); too few samples → exponential.
    const samples = handling.reduce((s, h) => s + h.n, 0);
    const handleCv = samples >= MIN_CV_SAMPLES
      ? Math.sqrt(handling.reduce((s, h) => s + (h.mean > 0 ? h.n * (h.sd / h.mean) ** 2 : 0), 0) / samples)
      : 1;

    const plan = planStaffing({
      openingHours,
      services: planServices,
      walkIns: [...walkIns.values()],
      appointments,
      serviceLevel,
      priorityShare: priority,
      handleCv: whatIf && q.meanHandleMin !== undefined ? 1 : handleCv,
      ...(whatIf ? { whatIf: { ...(q.arrivalsPerHour !== undefined ? { arrivalsPerHour: q.arrivalsPerHour } : {}), ...(q.meanHandleMin !== undefined ? { meanHandleMin: q.meanHandleMin } : {}), ...(q.targetWaitMin !== undefined ? { targetWaitMin: q.targetWaitMin } : {}) } } : {}),
      simulation: { enabled: engine === 'simulation' },
    });
    return ok({ siteId, date, serviceLevel, engine, basis: { historyDays, appointments: bookedCount, whatIf }, hours: plan.hours });
  }

  return { stats, rollup, staffingPlan };
}

export type OpsService = ReturnType<typeof createOpsService>;
