/**
 * SFU room ids name what a room belongs to, so a join token's room can be checked against the database:
 * `as-<sessionId>` for an assistance session, `vw-<ticketId>` for a call at a virtual window.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RoomRef = { kind: 'assist'; sessionId: string } | { kind: 'virtual'; ticketId: string };

export const assistRoomId = (sessionId: string): string => `as-${sessionId}`;
export const virtualRoomId = (ticketId: string): string => `vw-${ticketId}`;

export function parseRoomId(roomId: string): RoomRef | null {
  const id = roomId.slice(3);
  if (!UUID.test(id)) return null;
  if (roomId.startsWith('as-')) return { kind: 'assist', sessionId: id.toLowerCase() };
  if (roomId.startsWith('vw-')) return { kind: 'virtual', ticketId: id.toLowerCase() };
  return null;
}

/** The participant id a citizen joins a virtual-window room with (staff join with their staff id). */
export const citizenParticipantId = (ticketId: string): string => `citizen:${ticketId}`;
