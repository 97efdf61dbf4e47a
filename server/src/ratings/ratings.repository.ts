/** SQL of ratings. */
import { and, desc, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { ratings, services, ticketEvents, tickets } from '../db/schema/index.ts';

export type RatingRow = typeof ratings.$inferSelect;
export type RatingInsert = typeof ratings.$inferInsert;
export type TicketRow = typeof tickets.$inferSelect;

export async function lockTicket(tx: Tx, id: string): Promise<TicketRow | undefined> {
  const [row] = await tx.select().from(tickets).where(eq(tickets.id, id)).limit(1).for('update');
  return row;
}

export async function findTicket(tx: Tx, id: string): Promise<TicketRow | undefined> {
  const [row] = await tx.select().from(tickets).where(eq(tickets.id, id)).limit(1);
  return row;
}

export async function serviceComplexity(tx: Tx, serviceId: string): Promise<'general' | 'complex' | undefined> {
  const [row] = await tx.select({ c: services.complexity }).from(services).where(eq(services.id, serviceId)).limit(1);
  return row?.c;
}

/** The staff member who finished serving the ticket (the clerk the citizen is rating). */
export async function servedBy(tx: Tx, ticketId: string): Promise<string | null> {
  const [row] = await tx
    .select({ actorId: ticketEvents.actorId })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.type, 'finish')))
    .orderBy(desc(ticketEvents.id))
    .limit(1);
  return row?.actorId ?? null;
}

export async function findByTicket(tx: Tx, ticketId: string): Promise<RatingRow | undefined> {
  const [row] = await tx.select().from(ratings).where(eq(ratings.ticketId, ticketId)).limit(1);
  return row;
}

export async function findBySession(tx: Tx, assistSessionId: string): Promise<RatingRow | undefined> {
  const [row] = await tx.select().from(ratings).where(eq(ratings.assistSessionId, assistSessionId)).limit(1);
  return row;
}

export async function insertRating(tx: Tx, values: RatingInsert): Promise<RatingRow> {
  const [row] = await tx.insert(ratings).values(values).returning();
  return row as RatingRow;
}

export async function setCase(tx: Tx, ratingId: string, caseId: string): Promise<RatingRow> {
  const [row] = await tx.update(ratings).set({ caseId }).where(eq(ratings.id, ratingId)).returning();
  return row as RatingRow;
}
