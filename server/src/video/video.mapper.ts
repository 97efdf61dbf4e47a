import type { AssistRecording, AssistSession, AssistTarget, VideoEvent } from '../contracts/video.ts';
import { isoInZone } from '../lib/time.ts';
import type { ParticipantRow, RecordingRow, SessionRow, VideoEventRow } from './video.repository.ts';

export function toRecording(r: RecordingRow, timeZone: string): AssistRecording {
  return {
    id: r.id,
    participantId: r.participantId,
    source: r.source,
    kind: r.kind,
    file: r.file,
    status: r.status,
    sha256: r.sha256,
    bytes: r.bytes,
    durationMs: r.durationMs,
    startedAt: isoInZone(r.startedAt.getTime(), timeZone),
    endedAt: r.endedAt ? isoInZone(r.endedAt.getTime(), timeZone) : null,
  };
}

export function toAssistSession(
  r: SessionRow,
  timeZone: string,
  participants: (ParticipantRow & { displayName: string; role: string })[],
  recordings: RecordingRow[],
): AssistSession {
  const iso = (d: Date | null) => (d ? isoInZone(d.getTime(), timeZone) : null);
  return {
    id: r.id,
    roomId: r.roomId,
    siteId: r.siteId,
    ticketId: r.ticketId,
    reason: r.reason,
    target: r.target as AssistTarget,
    status: r.status,
    requestedBy: r.requestedBy,
    requestedAt: isoInZone(r.requestedAt.getTime(), timeZone),
    ringing: r.status === 'ringing' ? r.rungStaffIds : [],
    escalatesAt: r.status === 'ringing' ? iso(r.nextEscalationAt) : null,
    acceptedBy: r.acceptedBy,
    acceptedAt: iso(r.acceptedAt),
    answerSeconds: r.answerMs === null ? null : Math.round(r.answerMs / 100) / 10,
    endedAt: iso(r.endedAt),
    endReason: r.endReason,
    recorded: r.recorded,
    participants: participants.map((p) => ({ staffId: p.staffId, displayName: p.displayName, role: p.role, kind: p.kind, addedAt: isoInZone(p.addedAt.getTime(), timeZone) })),
    recordings: recordings.map((rec) => toRecording(rec, timeZone)),
  };
}

export function toVideoEvent(e: VideoEventRow, timeZone: string): VideoEvent {
  return {
    id: e.id,
    roomId: e.roomId,
    type: e.type as VideoEvent['type'],
    actorKind: e.actorKind,
    actorId: e.actorId,
    at: isoInZone(e.at.getTime(), timeZone),
    data: e.data ?? null,
  };
}
