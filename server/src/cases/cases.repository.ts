/** SQL of cases: every function takes the transaction it runs in. */
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { caseEvents, caseNumberCounters, cases } from '../db/schema/index.ts';
import type { CaseStatus } from './core/index.ts';

export type CaseRow = typeof cases.$inferSelect;
export type CaseInsert = typeof cases.$inferInsert;
export type CaseEventRow = typeof caseEvents.$inferSelect;
export type CaseEventInsert = typeof caseEvents.$inferInsert;

export const ACTIVE_STATUSES: CaseStatus[] = ['open', 'assigned', 'replied', 'escalated'];

export async function nextNumber(tx: Tx, prefix: string, day: string): Promise<number> {
  const [row] = await tx
    .insert(caseNumberCounters)
    .values({ prefix, day, last: 1 })
    .onConflictDoUpdate({ target: [caseNumberCounters.prefix, caseNumberCounters.day], set: { last: sql`${caseNumberCounters.last} + 1` } })
    .returning({ last: caseNumberCounters.last });
  return row?.last ?? 1;
}

export async function insertCase(tx: Tx, values: CaseInsert): Promise<CaseRow> {
  const [row] = await tx.insert(cases).values(values).returning();
  return row as CaseRow;
}

export async function findCase(tx: Tx, id: string, lock = false): Promise<CaseRow | undefined> {
  const q = tx.select().from(cases).where(eq(cases.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

export async function findByNumber(tx: Tx, number: string): Promise<CaseRow | undefined> {
  const [row] = await tx.select().from(cases).where(eq(cases.number, number)).limit(1);
  return row;
}

export async function updateCase(tx: Tx, id: string, set: Partial<CaseInsert>): Promise<CaseRow> {
  const [row] = await tx.update(cases).set(set).where(eq(cases.id, id)).returning();
  return row as CaseRow;
}

export async function appendEvent(tx: Tx, event: CaseEventInsert): Promise<void> {
  await tx.insert(caseEvents).values(event);
}

export async function eventsOf(tx: Tx, caseId: string): Promise<CaseEventRow[]> {
  return tx.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.id));
}

export interface ListFilter {
  siteIds: string[] | null;
  status?: CaseStatus;
  kind?: CaseRow['kind'];
  assigneeId?: string;
  overdueAt?: number;
  limit: number;
  offset: number;
}

export async function listCases(tx: Tx, f: ListFilter): Promise<{ rows: CaseRow[]; total: number }> {
  const where: SQL[] = [];
  if (f.siteIds) where.push(inArray(cases.siteId, f.siteIds.length ? f.siteIds : ['00000000-0000-0000-0000-000000000000']));
  if (f.status) where.push(eq(cases.status, f.status));
  if (f.kind) where.push(eq(cases.kind, f.kind));
  if (f.assigneeId) where.push(eq(cases.assigneeId, f.assigneeId));
  if (f.overdueAt !== undefined) {
    const now = new Date(f.overdueAt);
    where.push(or(and(isNull(cases.resolvedAt), lt(cases.deadlineAt, now)), and(isNotNull(cases.resolvedAt), gt(cases.resolvedAt, cases.deadlineAt))) as SQL);
  }
  const cond = where.length ? and(...where) : undefined;
  const [rows, [total]] = await Promise.all([
    // Most urgent first: the nearest deadline among open work, then the newest.
    tx.select().from(cases).where(cond).orderBy(desc(inArray(cases.status, ACTIVE_STATUSES)), asc(cases.deadlineAt), desc(cases.openedAt)).limit(f.limit).offset(f.offset),
    tx.select({ n: count() }).from(cases).where(cond),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/**
 * Cases with a timer action due at `now`: an escalation past a deadline, or a warning inside the horizon not
 * yet sent. Narrow on purpose: a warned case is not read again until its deadline passes.
 */
export async function dueForTimers(tx: Tx, now: number, horizon: number, limit: number): Promise<{ id: string }[]> {
  const n = new Date(now);
  const h = new Date(horizon);
  return tx
    .select({ id: cases.id })
    .from(cases)
    .where(
      and(
        inArray(cases.status, ACTIVE_STATUSES),
        or(
          and(isNull(cases.firstRepliedAt), isNull(cases.replyEscalatedAt), or(lte(cases.replyDueAt, n), and(isNull(cases.replyWarnedAt), lte(cases.replyDueAt, h)))),
          and(isNull(cases.resolveEscalatedAt), or(lte(cases.deadlineAt, n), and(isNull(cases.resolveWarnedAt), lte(cases.deadlineAt, h)))),
        ),
      ),
    )
    .orderBy(asc(cases.deadlineAt))
    .limit(limit);
}

/** Locks one case for the sweep, skipping it if another node's sweep holds it. */
export async function lockForSweep(tx: Tx, id: string): Promise<CaseRow | undefined> {
  const [row] = await tx.select().from(cases).where(eq(cases.id, id)).limit(1).for('update', { skipLocked: true });
  return row;
}
