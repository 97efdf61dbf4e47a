/** SQL of the queue: every function takes the transaction it runs in. */
import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { idempotencyKeys, numberCounters, services, ticketEvents, tickets, windowServices, windows } from '../db/schema/index.ts';

export type TicketRow = typeof tickets.$inferSelect;
export type ServiceRow = typeof services.$inferSelect;
export type WindowRow = typeof windows.$inferSelect;
export type TicketEventInsert = typeof ticketEvents.$inferInsert;

export async function findService(tx: Tx, serviceId: string): Promise<ServiceRow | undefined> {
  const [row] = await tx.select().from(services).where(eq(services.id, serviceId)).limit(1);
  return row;
}

export async function findTicket(tx: Tx, id: string, lock = false): Promise<TicketRow | undefined> {
  const q = tx.select().from(tickets).where(eq(tickets.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

export async function findWindow(tx: Tx, id: string, lock = false): Promise<WindowRow | undefined> {
  const q = tx.select().from(windows).where(eq(windows.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

export async function windowServiceIds(tx: Tx, windowId: string): Promise<string[]> {
  const rows = await tx.select({ id: windowServices.serviceId }).from(windowServices).where(eq(windowServices.windowId, windowId));
  return rows.map((r) => r.id);
}

/** The next number of a site's local day and category, atomically (one row per counter, upserted). */
export async function nextNumber(tx: Tx, siteId: string, day: string, category: string): Promise<number> {
  const [row] = await tx
    .insert(numberCounters)
    .values({ siteId, day, category, last: 1 })
    .onConflictDoUpdate({ target: [numberCounters.siteId, numberCounters.day, numberCounters.category], set: { last: sql`${numberCounters.last} + 1` } })
    .returning({ last: numberCounters.last });
  return row?.last ?? 1;
}

/**
 * The eligible waiting ticket with the earliest dueAt (ties: issuedAt, then id: the core's
 * `compareForCalling`), locked. SKIP LOCKED lets two windows calling at once take different tickets
 * instead of waiting for each other or both taking the same one.
 *
 * A row can also be locked for a moment by something that is not calling it (the wait estimate written
 * after issue, the SLA sweep). So when SKIP LOCKED finds nothing but an eligible ticket exists, wait for
 * that row's lock and take it if it is still waiting, rather than tell the clerk the queue is empty.
 */
export async function lockNextEligible(tx: Tx, siteId: string, windowId: string, serviceIds: string[]): Promise<TicketRow | undefined> {
  if (serviceIds.length === 0) return undefined;
  const eligible = and(
    eq(tickets.siteId, siteId),
    eq(tickets.status, 'waiting'),
    inArray(tickets.serviceId, serviceIds),
    or(isNull(tickets.targetWindowId), eq(tickets.targetWindowId, windowId)),
  );
  const order = [asc(tickets.dueAt), asc(tickets.issuedAt), asc(tickets.id)];
  // Rationale: each retry follows a commit by another holder; three cover a burst of concurrent calls.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [free] = await tx.select().from(tickets).where(eligible).orderBy(...order).limit(1).for('update', { skipLocked: true });
    if (free) return free;
    const [held] = await tx.select({ id: tickets.id }).from(tickets).where(eligible).orderBy(...order).limit(1);
    if (!held) return undefined;
    // READ COMMITTED re-checks the condition once the holder commits: a ticket called meanwhile drops out.
    const [waited] = await tx.select().from(tickets).where(and(eq(tickets.id, held.id), eligible)).for('update');
    if (waited) return waited;
  }
  return undefined;
}

export async function appendEvent(tx: Tx, event: TicketEventInsert): Promise<void> {
  await tx.insert(ticketEvents).values(event);
}

export async function findIdempotent(tx: Tx, scope: string, key: string) {
  const [row] = await tx.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))).limit(1);
  return row;
}

/** Waiting tickets per category (number prefix) of a site: what boards show. */
export async function waitingByCategory(tx: Tx, siteId: string): Promise<Record<string, number>> {
  const rows = await tx
    .select({ category: services.category, n: sql<number>`count(*)::int` })
    .from(tickets)
    .innerJoin(services, eq(services.id, tickets.serviceId))
    .where(and(eq(tickets.siteId, siteId), eq(tickets.status, 'waiting')))
    .groupBy(services.category);
  return Object.fromEntries(rows.map((r) => [r.category, r.n]));
}

/** What the ETA play needs of a site's waiting queue, in calling order. */
export async function waitingSnapshot(tx: Tx, siteId: string) {
  return tx
    .select({ id: tickets.id, serviceId: tickets.serviceId, dueAt: tickets.dueAt, issuedAt: tickets.issuedAt, targetWindowId: tickets.targetWindowId })
    .from(tickets)
    .where(and(eq(tickets.siteId, siteId), eq(tickets.status, 'waiting')))
    .orderBy(asc(tickets.dueAt), asc(tickets.issuedAt), asc(tickets.id));
}

/** Open windows with their services and the ticket each is busy with, for the ETA play. */
export async function windowsForEta(tx: Tx, siteId: string) {
  const ws = await tx.select().from(windows).where(eq(windows.siteId, siteId));
  const links = ws.length ? await tx.select().from(windowServices).where(inArray(windowServices.windowId, ws.map((w) => w.id))) : [];
  const busy = ws.length
    ? await tx
        .select({ windowId: tickets.windowId, serviceId: tickets.serviceId, startedAt: tickets.startedAt, lastCalledAt: tickets.lastCalledAt })
        .from(tickets)
        .where(and(inArray(tickets.windowId, ws.map((w) => w.id)), inArray(tickets.status, ['called', 'serving'])))
    : [];
  return ws.map((w) => ({
    row: w,
    serviceIds: links.filter((l) => l.windowId === w.id).map((l) => l.serviceId),
    busyWith: busy.find((b) => b.windowId === w.id) ?? null,
  }));
}

/** Mean handling minutes per service over recent finished tickets of a site. */
export async function recentMeanHandleMin(tx: Tx, siteId: string, sinceMs: number): Promise<Map<string, number>> {
  const rows = await tx
    .select({ serviceId: tickets.serviceId, mean: sql<number>`avg(extract(epoch from (${tickets.finishedAt} - ${tickets.startedAt})) / 60)::float8` })
    .from(tickets)
    .where(and(eq(tickets.siteId, siteId), eq(tickets.status, 'done'), isNotNull(tickets.startedAt), gt(tickets.finishedAt, new Date(sinceMs))))
    .groupBy(tickets.serviceId);
  return new Map(rows.filter((r) => r.mean !== null && Number.isFinite(Number(r.mean))).map((r) => [r.serviceId, Number(r.mean)]));
}

/** Suspended tickets whose time to come back has passed. */
export async function expiredSuspensions(tx: Tx, nowMs: number): Promise<{ id: string }[]> {
  return tx.select({ id: tickets.id }).from(tickets).where(and(eq(tickets.status, 'suspended'), lte(tickets.resumeBy, new Date(nowMs)))).limit(500);
}

/** Waiting tickets close to their dueAt that have not been warned about, marked as warned. */
export async function claimAtRisk(tx: Tx, nowMs: number, horizonMs: number) {
  return tx
    .update(tickets)
    .set({ slaWarnedAt: new Date(nowMs) })
    .where(and(eq(tickets.status, 'waiting'), isNull(tickets.slaWarnedAt), lte(tickets.dueAt, new Date(nowMs + horizonMs))))
    .returning({ id: tickets.id, siteId: tickets.siteId, number: tickets.number, dueAt: tickets.dueAt });
}
