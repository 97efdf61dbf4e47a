/** SQL of statistics and planning: every function takes the transaction it runs in. */
import { and, count, eq, gte, inArray, isNotNull, lt, lte, max, ne, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { appointments, bookingRules, cases, ratings, services, staff, statsDaily, ticketEvents, tickets, windows } from '../db/schema/index.ts';
import { INSIDE_EDGE_MIN } from './core/estimate-accuracy.ts';
import type { DayFacts, TicketFact } from './stats-facts.ts';

export type StatsDailyRow = typeof statsDaily.$inferSelect;

export interface SiteDayTicket extends TicketFact {
  siteId: string;
  day: string;
}

/** The first caller of each ticket: the clerk whose productivity the call counts for. */
const firstCaller = sql<string | null>`(select e.actor_id from ${ticketEvents} e where e.ticket_id = ${tickets.id} and e.type = 'called' order by e.id limit 1)`;

/**
 * Tickets of these sites and days as stats facts. With `onlyNotRolledUp`, only the (site, day) pairs that
 * have no roll-up row: what a range must compute live.
 */
export async function ticketFacts(tx: Tx, siteIds: string[], from: string, to: string, onlyNotRolledUp: boolean): Promise<SiteDayTicket[]> {
  if (siteIds.length === 0) return [];
  const notRolled = sql`not exists (select 1 from ${statsDaily} s where s.site_id = ${tickets.siteId} and s.day = ${tickets.day})`;
  const rows = await tx
    .select({
      siteId: tickets.siteId, day: tickets.day, serviceId: tickets.serviceId, windowId: tickets.windowId, clerkId: firstCaller,
      status: tickets.status, issuedAt: tickets.issuedAt, dueAt: tickets.dueAt, calledAt: tickets.calledAt, startedAt: tickets.startedAt,
      finishedAt: tickets.finishedAt, etaAtIssueMin: tickets.etaAtIssueMin, etaLowAtIssueMin: tickets.etaLowAtIssueMin, etaHighAtIssueMin: tickets.etaHighAtIssueMin, targetHandleMin: services.targetHandleMin,
    })
    .from(tickets)
    .innerJoin(services, eq(services.id, tickets.serviceId))
    .where(and(inArray(tickets.siteId, siteIds), gte(tickets.day, from), lte(tickets.day, to), ...(onlyNotRolledUp ? [notRolled] : [])));
  return rows.map((r) => ({
    ...r,
    issuedAt: r.issuedAt.getTime(), dueAt: r.dueAt.getTime(), calledAt: r.calledAt?.getTime() ?? null,
    startedAt: r.startedAt?.getTime() ?? null, finishedAt: r.finishedAt?.getTime() ?? null,
  }));
}

export async function rolledUp(tx: Tx, siteIds: string[], from: string, to: string): Promise<StatsDailyRow[]> {
  if (siteIds.length === 0) return [];
  return tx.select().from(statsDaily).where(and(inArray(statsDaily.siteId, siteIds), gte(statsDaily.day, from), lte(statsDaily.day, to)));
}

export async function upsertRollup(tx: Tx, row: { siteId: string; day: string; tickets: number; facts: DayFacts; computedAt: Date }): Promise<void> {
  await tx.insert(statsDaily).values(row).onConflictDoUpdate({
    target: [statsDaily.siteId, statsDaily.day],
    set: { tickets: row.tickets, facts: row.facts, computedAt: row.computedAt },
  });
}

/**
 * Finished days of a site to roll up: those after its last roll-up, plus the last rolled day and the one before
 * it again (a ticket still at a window at midnight finishes the next day).
 */
export async function daysToRollUp(tx: Tx, siteId: string, today: string): Promise<string[]> {
  const [last] = await tx.select({ day: max(statsDaily.day) }).from(statsDaily).where(eq(statsDaily.siteId, siteId));
  const since = last?.day ? sql`${tickets.day} >= (${last.day}::date - 1)` : sql`true`;
  const rows = await tx
    .selectDistinct({ day: tickets.day })
    .from(tickets)
    .where(and(eq(tickets.siteId, siteId), lt(tickets.day, today), since))
    .orderBy(tickets.day);
  return rows.map((r) => r.day);
}

export async function ratingFigures(tx: Tx, siteIds: string[], fromMs: number, toMs: number) {
  if (siteIds.length === 0) return [];
  return tx
    .select({ score: ratings.score, n: count() })
    .from(ratings)
    .where(and(inArray(ratings.siteId, siteIds), gte(ratings.createdAt, new Date(fromMs)), lt(ratings.createdAt, new Date(toMs))))
    .groupBy(ratings.score);
}

/** `showsRange` (ops/core/estimate-accuracy) over `ticket_estimate_updates u`. */
const SHOWS_RANGE_SQL = sql.raw('u.high_min > 1 AND u.high_min > u.low_min');

/**
 * How right the ranges citizens were shown after issue were (`ticket_estimate_updates`, shown in the range,
 * tickets since called): the remaining wait from each update to the call against its estimate. The same
 * definitions as the estimate at issue (stats-facts), in SQL: a week is tens of thousands of updates. The
 * share in range judges the updates the screen showed as a range (`showsRange`: high ≥ 2 min, above low).
 */
export async function estimateUpdateFigures(
  tx: Tx, siteIds: string[], fromMs: number, toMs: number,
): Promise<{ count: number; mae: number | null; bias: number | null; shown: number; inRange: number | null }> {
  if (siteIds.length === 0) return { count: 0, mae: null, bias: null, shown: 0, inRange: null };
  const res = (await tx.execute(sql`
    SELECT count(*)::int AS count,
           avg(abs(u.eta_min - w.min))::float8 AS mae,
           avg(u.eta_min - w.min)::float8 AS bias,
           (count(*) FILTER (WHERE ${SHOWS_RANGE_SQL}))::int AS shown,
           (count(*) FILTER (WHERE ${SHOWS_RANGE_SQL} AND w.min BETWEEN u.low_min - ${INSIDE_EDGE_MIN}::float8 AND u.high_min + ${INSIDE_EDGE_MIN}::float8))::float8
             / nullif(count(*) FILTER (WHERE ${SHOWS_RANGE_SQL}), 0) AS in_range
    FROM ticket_estimate_updates u JOIN tickets t ON t.id = u.ticket_id
    CROSS JOIN LATERAL (SELECT extract(epoch from t.called_at - u.shown_at) / 60 AS min) w
    WHERE u.site_id IN (${sql.join(siteIds.map((id) => sql`${id}::uuid`), sql`, `)})
      AND u.shown_at >= ${new Date(fromMs).toISOString()}::timestamptz AND u.shown_at < ${new Date(toMs).toISOString()}::timestamptz
      AND t.called_at IS NOT NULL AND t.called_at >= u.shown_at`)) as unknown as {
    rows: { count: number; mae: number | null; bias: number | null; shown: number; in_range: number | null }[];
  };
  const r = res.rows[0];
  return { count: r?.count ?? 0, mae: r?.mae ?? null, bias: r?.bias ?? null, shown: r?.shown ?? 0, inRange: r?.in_range ?? null };
}

export async function caseRows(tx: Tx, siteIds: string[], fromMs: number, toMs: number) {
  if (siteIds.length === 0) return [];
  return tx
    .select({
      kind: cases.kind, status: cases.status, openedAt: cases.openedAt, replyDueAt: cases.replyDueAt, deadlineAt: cases.deadlineAt,
      firstRepliedAt: cases.firstRepliedAt, resolvedAt: cases.resolvedAt,
    })
    .from(cases)
    .where(and(inArray(cases.siteId, siteIds), gte(cases.openedAt, new Date(fromMs)), lt(cases.openedAt, new Date(toMs))));
}

export async function names(tx: Tx, ids: { services: string[]; windows: string[]; staff: string[] }) {
  const [s, w, st] = await Promise.all([
    ids.services.length ? tx.select({ id: services.id, name: services.name }).from(services).where(inArray(services.id, ids.services)) : [],
    ids.windows.length ? tx.select({ id: windows.id, number: windows.number, name: windows.name }).from(windows).where(inArray(windows.id, ids.windows)) : [],
    ids.staff.length ? tx.select({ id: staff.id, name: staff.displayName }).from(staff).where(inArray(staff.id, ids.staff)) : [],
  ]);
  return { services: new Map(s.map((r) => [r.id, r.name])), windows: new Map(w.map((r) => [r.id, r])), staff: new Map(st.map((r) => [r.id, r.name])) };
}

// ---- staffing planner -------------------------------------------------------------------------------

export async function siteServices(tx: Tx, siteId: string) {
  return tx.select().from(services).where(eq(services.siteId, siteId));
}

/**
 * Walk-in tickets (kiosk, mobile, transfer) per local day, hour and service over the given days. Tickets of
 * booked appointments are left out: the planner adds the bookings of the planned day instead.
 */
export async function arrivalsByHour(tx: Tx, siteId: string, days: string[], timeZone: string) {
  if (days.length === 0) return [];
  const hour = sql<number>`extract(hour from ${tickets.issuedAt} at time zone ${timeZone})::int`;
  return tx
    .select({ day: tickets.day, hour, serviceId: tickets.serviceId, n: count() })
    .from(tickets)
    .where(and(eq(tickets.siteId, siteId), inArray(tickets.day, days), ne(tickets.channel, 'appointment')))
    // By position: the zone is a bound parameter, so the hour expression cannot be repeated in GROUP BY.
    .groupBy(sql`1`, sql`2`, sql`3`);
}

/** Share of tickets in a priority group over the given days. */
export async function priorityShare(tx: Tx, siteId: string, days: string[]): Promise<number> {
  if (days.length === 0) return 0;
  const [r] = await tx
    .select({ all: count(), priority: sql<number>`count(*) filter (where ${tickets.priority} <> 'normal')::int` })
    .from(tickets)
    .where(and(eq(tickets.siteId, siteId), inArray(tickets.day, days)));
  return r && r.all > 0 ? r.priority / r.all : 0;
}

/** Mean, spread and count of handling minutes per service of done tickets since `sinceMs`. */
export async function handlingTimes(tx: Tx, siteId: string, sinceMs: number) {
  const minutes = sql`extract(epoch from (${tickets.finishedAt} - ${tickets.startedAt})) / 60`;
  return tx
    .select({ serviceId: tickets.serviceId, mean: sql<number>`avg(${minutes})::float8`, sd: sql<number>`coalesce(stddev_pop(${minutes}), 0)::float8`, n: count() })
    .from(tickets)
    .where(and(eq(tickets.siteId, siteId), eq(tickets.status, 'done'), isNotNull(tickets.startedAt), isNotNull(tickets.finishedAt), gte(tickets.finishedAt, new Date(sinceMs))))
    .groupBy(tickets.serviceId);
}

/** Hall and video appointments still expected on the day, per local hour of their start and service. */
export async function bookedByHour(tx: Tx, siteId: string, day: string, timeZone: string) {
  const hour = sql<number>`extract(hour from ${appointments.start} at time zone ${timeZone})::int`;
  return tx
    .select({ hour, serviceId: appointments.serviceId, n: count() })
    .from(appointments)
    .where(and(eq(appointments.siteId, siteId), eq(appointments.day, day), inArray(appointments.status, ['booked', 'checkedIn']), ne(appointments.kind, 'homeVisit')))
    .groupBy(sql`1`, sql`2`);
}

/** The opening hours that booking rules give for a weekday (`mon`…`sun`), over the site's services. */
export async function bookingOpeningHours(tx: Tx, siteId: string) {
  return tx.select({ serviceId: bookingRules.serviceId, openingHours: bookingRules.openingHours, closedDates: bookingRules.closedDates }).from(bookingRules).where(eq(bookingRules.siteId, siteId));
}


