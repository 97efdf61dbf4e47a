/**
 * Audit recording: in a session of a site whose policy asks for it, each track goes through a PlainTransport
 * into ffmpeg (no re-encoding) and ends up as a file listed on the session with its SHA-256, playable, as long
 * as the media flowed. The media here comes from ffmpeg itself (a VP8 test pattern and an Opus tone sent as
 * RTP into the room's router), standing in for a participant's camera and microphone.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { sites } from '../../server/src/db/schema/index.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectMedia, createVideoHall, freePortBase, setOnline, type MediaClient, type StaffName, type VideoHall } from './helpers.ts';

let t: TestApp;
let hall: VideoHall;
let dir: string;
const clients: MediaClient[] = [];
let sender: ChildProcess | undefined;

beforeAll(async () => {
  const bin = await resolveMediasoupWorker();
  dir = mkdtempSync(path.join(os.tmpdir(), 'yc-recordings-'));
  t = await createTestApp({
    listen: true,
    env: { MEDIASOUP_WORKER_BIN: bin, YC_MEDIA_WORKERS: '1', YC_RTC_BASE_PORT: String(await freePortBase(1)), YC_RECORDINGS_DIR: dir },
  });
  hall = await createVideoHall(t);
  await setOnline(t, hall, ['expertC']);
  await t.app.deps.db.update(sites).set({ policy: { recordSessions: true } }).where(eq(sites.id, hall.site.V));
  t.app.deps.sites.invalidate();
}, 600_000);
afterAll(async () => {
  sender?.kill('SIGKILL');
  for (const c of clients) c.close();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const as = (name: StaffName) => bearer(hall.tokens[name]);

function probe(file: string): { durationMs: number; codec: string } {
  const out = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file], { encoding: 'utf8' });
  const json = JSON.parse(out.stdout) as { format: { duration: string }; streams: { codec_name: string }[] };
  return { durationMs: Math.round(Number(json.format.duration) * 1000), codec: json.streams[0]?.codec_name ?? '' };
}

describe('recording a session for audit', () => {
  it('stores every track as a playable file whose length matches the call, listed with its hash', async () => {
    const req = await t.api('POST', '/assist-sessions', { siteId: hall.site.V, reason: '医保转移接续', target: {} }, as('clerkV'));
    expect(req.status).toBe(201);
    expect(req.body.recorded).toBe(true);
    const acc = await t.api('POST', `/assist-sessions/${req.body.id}/accept`, undefined, as('expertC'));
    expect(acc.status).toBe(200);
    const clerk = await connectMedia(t.url, req.body.join.token);
    clients.push(clerk);
    expect((await clerk.request('room:join', {})).error).toBeUndefined();
    // The recorder watches the room once its first join is logged.
    await expect.poll(async () => (await t.api('GET', `/assist-sessions/${req.body.id}/events`, undefined, as('clerkV'))).body.some((e: { type: string }) => e.type === 'joined'), { timeout: 15_000 }).toBe(true);

    // The clerk's "camera" and "microphone": RTP from ffmpeg into PlainTransports on the room's router.
    const room = t.app.video.media?.room(req.body.roomId);
    const router = room?.routers[0];
    if (!router) throw new Error('room not live');
    // The recorder's consumers (on its own PlainTransports), to see when media reaches its ffmpeg and which
    // media: the RTP timestamps of the first packet it can start a file with and of the last one sent to it.
    const recorderConsumers: types.Consumer[] = [];
    const forwarded = new Map<string, { clockRate: number; first?: number; last?: number }>();
    router.observer.on('newtransport', (transport) => {
      if (!(transport.appData as { recording?: boolean }).recording) return;
      transport.observer.on('newconsumer', (c) => {
        recorderConsumers.push(c);
        const span: { clockRate: number; first?: number; last?: number } = { clockRate: c.rtpParameters.codecs[0]?.clockRate ?? 90_000 };
        forwarded.set(c.kind, span);
        c.observer.on('trace', (e) => {
          if (e.type !== 'rtp' || e.direction !== 'out') return;
          const packet = e.info as { timestamp: number; isKeyFrame: boolean };
          // A video file starts at a key frame.
          if (span.first === undefined && c.kind === 'video' && !packet.isKeyFrame) return;
          span.first ??= packet.timestamp;
          span.last = packet.timestamp;
        });
        void c.enableTraceEvent(['rtp']).catch(() => undefined);
      });
    });
    // ffmpeg sends RTP and RTCP from two sockets: separate ports, or comedia would lock onto the RTCP one.
    const video = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
    const audio = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
    await video.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 11111111 }] },
      appData: { peerId: hall.staffIds.clerkV, source: 'camera' },
    });
    await audio.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 1 } }], encodings: [{ ssrc: 22222222 }] },
      appData: { peerId: hall.staffIds.clerkV, source: 'mic' },
    });
    const vPort = video.tuple.localPort;
    const aPort = audio.tuple.localPort;
    const vRtcp = video.rtcpTuple?.localPort;
    const aRtcp = audio.rtcpTuple?.localPort;
    const sendStartedAt = Date.now();
    sender = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', '15', '-ssrc', '11111111', '-payload_type', '101',
      '-f', 'rtp', `rtp://127.0.0.1:${vPort}?rtcpport=${vRtcp}&pkt_size=1200`,
      '-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-ssrc', '22222222', '-payload_type', '100',
      '-f', 'rtp', `rtp://127.0.0.1:${aPort}?rtcpport=${aRtcp}`,
    ], { stdio: 'ignore' });

    // The recording starts when the recorder's ffmpeg listens and its consumers resume: on a loaded machine
    // that can be seconds after the sender started. Measure from when media really reaches it.
    const packetsSent = async (c: types.Consumer) => (await c.getStats()).find((st) => st.type === 'outbound-rtp')?.packetCount ?? 0;
    await expect
      .poll(async () => recorderConsumers.length === 2 && (await Promise.all(recorderConsumers.map(packetsSent))).every((n) => n > 0), { timeout: 30_000 })
      .toBe(true);
    const flowingAt = Date.now();
    // Rationale: six seconds is long enough that a recording which lost its start or end would show it.
    await new Promise((r) => setTimeout(r, 6_000));
    const endRequestedAt = Date.now();
    const ended = await t.api('POST', `/assist-sessions/${req.body.id}/end`, undefined, as('clerkV'));
    const endAnsweredAt = Date.now();
    sender.kill('SIGKILL');
    expect(ended.status).toBe(200);

    const session = (await t.api('GET', `/assist-sessions/${req.body.id}`, undefined, as('supervisorD'))).body;
    const recs = session.recordings as { kind: string; source: string; status: string; file: string; sha256: string; bytes: number; durationMs: number; participantId: string }[];
    expect(recs.map((r) => [r.kind, r.source, r.status]).sort()).toEqual([['audio', 'mic', 'stored'], ['video', 'camera', 'stored']]);
    // At most this long the media can have flowed at all.
    const atMostSentMs = endAnsweredAt - sendStartedAt;
    /** How much media (by its own clock) the SFU sent the recorder from its first usable packet. */
    const forwardedMs = (kind: string) => {
      const span = forwarded.get(kind);
      if (span?.first === undefined || span.last === undefined) return 0;
      return Math.round((((span.last - span.first) >>> 0) / span.clockRate) * 1000);
    };
    for (const rec of recs) {
      expect(rec.participantId).toBe(hall.staffIds.clerkV);
      const file = path.join(dir, rec.file);
      const bytes = readFileSync(file);
      expect(rec.bytes).toBe(bytes.length);
      expect(rec.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      const probed = probe(file);
      expect(probed.codec).toBe(rec.kind === 'video' ? 'vp8' : 'opus');
      expect(rec.durationMs).toBe(probed.durationMs);
      // The file holds all the media the SFU sent the recorder, from its first key frame to the end: measured
      // on the media's own clock, since a loaded machine's sender may fall behind the wall clock. (A recorder
      // that lost its start or its end would come up short.) And never more than can have been sent.
      process.stdout.write(`[recording] ${rec.kind}: file ${probed.durationMs} ms; sent to the recorder ${forwardedMs(rec.kind)} ms of media in ${endRequestedAt - flowingAt} ms of wall time; media reached it ${flowingAt - sendStartedAt} ms after the sender started\n`);
      expect(forwardedMs(rec.kind)).toBeGreaterThan(0);
      expect(probed.durationMs).toBeGreaterThan(forwardedMs(rec.kind) - 1_000);
      expect(probed.durationMs).toBeLessThan(atMostSentMs + 500);
      // Playable: the whole file decodes without an error.
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(decode.status).toBe(0);
      expect(decode.stderr.trim()).toBe('');
    }
    const log = (await t.api('GET', `/assist-sessions/${req.body.id}/events`, undefined, as('clerkV'))).body as { type: string; data: { sha256?: string } }[];
    expect(log.filter((e) => e.type === 'recordingStarted')).toHaveLength(2);
    expect(log.filter((e) => e.type === 'recordingStored').map((e) => e.data.sha256).sort()).toEqual(recs.map((r) => r.sha256).sort());
  });

  it('records nothing for a site whose policy does not ask for it', async () => {
    const req = await t.api('POST', '/assist-sessions', { siteId: hall.site.D, reason: '咨询', target: {} }, as('clerkD'));
    expect(req.body.recorded).toBe(false);
    await t.api('POST', `/assist-sessions/${req.body.id}/end`, undefined, as('clerkD'));
    expect(t.app.video.recorder.active()).toBe(0);
  });
});
