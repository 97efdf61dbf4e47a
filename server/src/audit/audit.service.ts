/**
 * The staff audit trail: who did what, when, to which site. Ticket transitions are already logged with
 * their actor in `ticket_events`; this log holds the rest (sign-ins, windows, administration). Both tables
 * are append-only in the database itself (migration 0003).
 */
import { and, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog, ticketEvents, tickets } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  siteId?: string | null;
  subject?: string | null;
  /** Never personal data of citizens: ids and codes only. */
  data?: Record<string, unknown>;
}

export interface AuditRecord {
  at: string;
  actorId: string | null;
  action: string;
  siteId: string | null;
  subject: string | null;
  data: Record<string, unknown> | null;
}

export function createAuditService(deps: { db: Db; clock: Clock }) {
  const { db } = deps;
  return {
    async record(entry: AuditEntry): Promise<void> {
      await db.insert(auditLog).values({ at: new Date(deps.clock.now()), actorId: entry.actorId, action: entry.action, siteId: entry.siteId ?? null, subject: entry.subject ?? null, data: entry.data ?? null });
    },
    /** Staff actions at these sites in a time range, newest first: the audit log and ticket transitions merged. */
    async list(siteIds: string[], from: Date, to: Date, limit: number): Promise<AuditRecord[]> {
      const [staffActions, transitions] = await Promise.all([
        db.select().from(auditLog).where(and(inArray(auditLog.siteId, siteIds), gte(auditLog.at, from), lte(auditLog.at, to))).orderBy(desc(auditLog.at)).limit(limit),
        db
          .select({ e: ticketEvents, number: tickets.number })
          .from(ticketEvents)
          .innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
          .where(and(inArray(ticketEvents.siteId, siteIds), eq(ticketEvents.actorKind, 'staff'), gte(ticketEvents.at, from), lte(ticketEvents.at, to)))
          .orderBy(desc(ticketEvents.at))
          .limit(limit),
      ]);
      const merged: AuditRecord[] = [
        ...staffActions.map((a) => ({ at: a.at.toISOString(), actorId: a.actorId, action: a.action, siteId: a.siteId, subject: a.subject, data: a.data ?? null })),
        ...transitions.map(({ e, number }) => ({ at: e.at.toISOString(), actorId: e.actorId, action: `ticket.${e.type}`, siteId: e.siteId, subject: number, data: { ticketId: e.ticketId, from: e.fromStatus, to: e.toStatus, windowId: e.windowId } })),
      ];
      return merged.sort((x, y) => (x.at < y.at ? 1 : -1)).slice(0, limit);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
