import { describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION, planEscalation } from './escalation.ts';
import { addSample, emptyQuality, summarise } from './quality.ts';
import { containerFor, recordingSdp } from './sdp.ts';
import { citizenParticipantId, parseRoomId, assistRoomId, virtualRoomId } from './room-ids.ts';

const S = 1_000;

describe('planEscalation', () => {
  it('rings the next expert and looks again after the ring time', () => {
    expect(planEscalation({ now: 60 * S, requestedAt: 0, next: { tier: 1, staffIds: ['e2'] } })).toEqual({ kind: 'ring', staffIds: ['e2'], tier: 1, nextAt: 120 * S });
  });

  it('waits and rechecks when nobody new is available, never past the give-up time', () => {
    expect(planEscalation({ now: 120 * S, requestedAt: 0, next: null })).toEqual({ kind: 'wait', nextAt: 130 * S });
    expect(planEscalation({ now: 295 * S, requestedAt: 0, next: null })).toEqual({ kind: 'wait', nextAt: 300 * S });
  });

  it('gives up once the request has gone unanswered for the give-up time, even with someone left to ring', () => {
    expect(planEscalation({ now: DEFAULT_ESCALATION.giveUpMs, requestedAt: 0, next: { tier: 0, staffIds: ['e9'] } })).toEqual({ kind: 'giveUp' });
  });
});

describe('quality summary', () => {
  it('averages consumer scores and counts the poor ones', () => {
    let acc = emptyQuality();
    acc = addSample(acc, { participants: 2, consumerScores: [10, 10] });
    acc = addSample(acc, { participants: 3, consumerScores: [4, 10] });
    expect(summarise(acc)).toEqual({ samples: 4, avgScore: 8.5, minScore: 4, poorShare: 0.25, peakParticipants: 3 });
    expect(summarise(emptyQuality())).toEqual({ samples: 0, avgScore: null, minScore: null, poorShare: null, peakParticipants: 0 });
  });
});

describe('recording SDP', () => {
  it('describes one VP8 stream with its RTCP port', () => {
    const sdp = recordingSdp({ kind: 'video', ip: '127.0.0.1', rtpPort: 50000, rtcpPort: 50001, codec: { payloadType: 101, mimeType: 'video/VP8', clockRate: 90000 } });
    expect(sdp).toContain('m=video 50000 RTP/AVP 101');
    expect(sdp).toContain('a=rtcp:50001');
    expect(sdp).toContain('a=rtpmap:101 VP8/90000');
    expect(sdp).not.toContain('a=fmtp');
  });

  it('gives Opus its channels and H264 its format parameters', () => {
    const opus = recordingSdp({ kind: 'audio', ip: '127.0.0.1', rtpPort: 5000, rtcpPort: 5001, codec: { payloadType: 100, mimeType: 'audio/opus', clockRate: 48000, channels: 2 } });
    expect(opus).toContain('a=rtpmap:100 opus/48000/2');
    const h264 = recordingSdp({ kind: 'video', ip: '127.0.0.1', rtpPort: 5000, rtcpPort: 5001, codec: { payloadType: 107, mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } } });
    expect(h264).toContain('a=fmtp:107 packetization-mode=1;profile-level-id=42e01f');
    expect(containerFor('video/H264')).toBe('mkv');
    expect(containerFor('video/VP8')).toBe('webm');
    expect(containerFor('audio/opus')).toBe('webm');
  });
});

describe('room ids', () => {
  it('round-trips session and ticket rooms and refuses anything else', () => {
    const id = '0b8f6c1e-3f0a-4c1e-9a52-6d0c8f1b2a3c';
    expect(parseRoomId(assistRoomId(id))).toEqual({ kind: 'assist', sessionId: id });
    expect(parseRoomId(virtualRoomId(id))).toEqual({ kind: 'virtual', ticketId: id });
    expect(parseRoomId(`xx-${id}`)).toBeNull();
    expect(parseRoomId('as-not-a-uuid')).toBeNull();
    expect(citizenParticipantId(id)).toBe(`citizen:${id}`);
  });
});
