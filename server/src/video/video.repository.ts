/** Queries of the video module. Each takes a `Db` or a transaction. */
import { and, arrayContains, desc, eq, inArray, isNotNull, lte, max, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { assistParticipants, assistSessions, staff, videoRecordings, videoRoomEvents } from '../db/schema/index.ts';
import type { AssistStatus } from '../contracts/video.ts';

export type SessionRow = typeof assistSessions.$inferSelect;
export type ParticipantRow = typeof assistParticipants.$inferSelect;
export type RecordingRow = typeof videoRecordings.$inferSelect;
export type VideoEventRow = typeof videoRoomEvents.$inferSelect;
export type VideoEventInsert = typeof videoRoomEvents.$inferInsert;
export type StaffRow = typeof staff.$inferSelect;

export async function findSession(tx: Tx, id: string, lock = false): Promise<SessionRow | undefined> {
  const q = tx.select().from(assistSessions).where(eq(assistSessions.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

export async function participantsOf(tx: Tx, sessionIds: string[]): Promise<(ParticipantRow & { displayName: string; role: StaffRow['role'] })[]> {
  if (sessionIds.length === 0) return [];
  const rows = await tx
    .select({ p: assistParticipants, displayName: staff.displayName, role: staff.role })
    .from(assistParticipants)
    .innerJoin(staff, eq(staff.id, assistParticipants.staffId))
    .where(inArray(assistParticipants.sessionId, sessionIds))
    .orderBy(assistParticipants.addedAt, assistParticipants.staffId);
  return rows.map((r) => ({ ...r.p, displayName: r.displayName, role: r.role }));
}

export async function recordingsOf(tx: Tx, sessionIds: string[]): Promise<RecordingRow[]> {
  if (sessionIds.length === 0) return [];
  return tx.select().from(videoRecordings).where(inArray(videoRecordings.sessionId, sessionIds)).orderBy(videoRecordings.startedAt, videoRecordings.id);
}

export async function appendEvent(tx: Tx, event: VideoEventInsert): Promise<void> {
  await tx.insert(videoRoomEvents).values(event);
}

export async function eventsOfRoom(tx: Tx, roomId: string): Promise<VideoEventRow[]> {
  return tx.select().from(videoRoomEvents).where(eq(videoRoomEvents.roomId, roomId)).orderBy(videoRoomEvents.id);
}

/** Active staff accounts with the expert role that are online, with their assignment and skills. */
export async function onlineExperts(tx: Tx): Promise<Pick<StaffRow, 'id' | 'siteIds' | 'skills'>[]> {
  return tx
    .select({ id: staff.id, siteIds: staff.siteIds, skills: staff.skills })
    .from(staff)
    .where(and(eq(staff.role, 'expert'), eq(staff.active, true), eq(staff.online, true)));
}

/** Staff already in an answered call: not available to ring. */
export async function busyStaffIds(tx: Tx): Promise<Set<string>> {
  const rows = await tx
    .selectDistinct({ id: assistParticipants.staffId })
    .from(assistParticipants)
    .innerJoin(assistSessions, eq(assistSessions.id, assistParticipants.sessionId))
    .where(eq(assistSessions.status, 'active'));
  return new Set(rows.map((r) => r.id));
}

export async function lastAnswered(tx: Tx, staffIds: string[]): Promise<Map<string, number>> {
  if (staffIds.length === 0) return new Map();
  const rows = await tx
    .select({ id: assistSessions.acceptedBy, at: max(assistSessions.acceptedAt) })
    .from(assistSessions)
    .where(and(isNotNull(assistSessions.acceptedBy), inArray(assistSessions.acceptedBy, staffIds)))
    .groupBy(assistSessions.acceptedBy);
  const out = new Map<string, number>();
  for (const r of rows) if (r.id && r.at) out.set(r.id, new Date(r.at).getTime());
  return out;
}

/** Ringing sessions whose escalation is due, locked; a session another node is handling is skipped. */
export async function lockDueSessions(tx: Tx, now: Date, limit: number): Promise<SessionRow[]> {
  return tx
    .select()
    .from(assistSessions)
    .where(and(eq(assistSessions.status, 'ringing'), lte(assistSessions.nextEscalationAt, now)))
    .orderBy(assistSessions.nextEscalationAt)
    .limit(limit)
    .for('update', { skipLocked: true });
}

export async function dueSessionIds(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const rows = await tx
    .select({ id: assistSessions.id })
    .from(assistSessions)
    .where(and(eq(assistSessions.status, 'ringing'), lte(assistSessions.nextEscalationAt, now)))
    .orderBy(assistSessions.nextEscalationAt)
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function isParticipant(tx: Tx, sessionId: string, staffId: string): Promise<ParticipantRow | undefined> {
  const [row] = await tx
    .select()
    .from(assistParticipants)
    .where(and(eq(assistParticipants.sessionId, sessionId), eq(assistParticipants.staffId, staffId)))
    .limit(1);
  return row;
}

/** Sessions a staff member may see in a list: rung for it, it takes part in, or of the sites it oversees. */
export async function listSessions(
  tx: Tx,
  filter: { staffId: string; siteIds: string[] | 'all'; status?: AssistStatus; siteId?: string; limit: number },
): Promise<SessionRow[]> {
  const mine: SQL[] = [
    arrayContains(assistSessions.rungStaffIds, [filter.staffId]),
    sql`exists (select 1 from ${assistParticipants} where ${assistParticipants.sessionId} = ${assistSessions.id} and ${assistParticipants.staffId} = ${filter.staffId})`,
  ];
  if (filter.siteIds === 'all') mine.push(sql`true`);
  else if (filter.siteIds.length > 0) mine.push(inArray(assistSessions.siteId, filter.siteIds));
  const conditions: SQL[] = [or(...mine) as SQL];
  if (filter.status) conditions.push(eq(assistSessions.status, filter.status));
  if (filter.siteId) conditions.push(eq(assistSessions.siteId, filter.siteId));
  return tx
    .select()
    .from(assistSessions)
    .where(and(...conditions))
    .orderBy(desc(assistSessions.requestedAt), assistSessions.id)
    .limit(filter.limit);
}

export async function findStaff(tx: Tx, id: string): Promise<StaffRow | undefined> {
  const [row] = await tx.select().from(staff).where(eq(staff.id, id)).limit(1);
  return row;
}

export async function setOnline(tx: Tx, staffId: string, online: boolean): Promise<void> {
  await tx.update(staff).set({ online }).where(eq(staff.id, staffId));
}
