/**
 * A media node killed mid-call (kill -9, power cut) cannot finish its recordings: nothing stops ffmpeg or
 * hashes the file. When it starts again, what it left "recording" is closed as failed, with the partial
 * file's hash and size kept as evidence and a `recordingFailed` event on the room, instead of being listed
 * as still running for ever. Another node's running recording is left alone (with a cluster).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { videoRecordings, videoRoomEvents } from '../../server/src/db/schema/index.ts';
import { createTestApp, createTestDatabase, onPglite, type TestApp, type TestDatabase } from '../helpers/test-app.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'yc-recordings-left-'));
let database: TestDatabase | undefined;
let t: TestApp | undefined;
afterAll(async () => {
  await t?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('recordings a killed media node left running', () => {
  it("are closed as failed on its next start, with the partial file hashed; in a cluster, another node's stay running", async () => {
    database = await createTestDatabase();
    const env = { YC_RECORDINGS_DIR: dir, YC_MEDIA_NODE_ID: 'media-sh-1', YC_MEDIA_WORKERS: '1' };
    // What the killed run left: a row marked recording and the file ffmpeg had written so far.
    const partial = Buffer.from('partial webm bytes, no index: ffmpeg was killed');
    mkdirSync(path.join(dir, '2026-12-03', 'room-a'), { recursive: true });
    writeFileSync(path.join(dir, '2026-12-03', 'room-a', 'clerk-camera.webm'), partial);
    const row = (file: string, nodeId: string) => ({
      roomId: 'room-a', participantId: 'clerk', producerId: `p-${nodeId}`, kind: 'video' as const, source: 'camera', file, status: 'recording' as const,
      nodeId, startedAt: new Date(Date.now() - 60_000),
    });
    const first = await createTestApp({ database, env: { ...env, YC_MEDIA: 'false' } });
    const [mine, theirs] = await first.app.deps.db.insert(videoRecordings).values([
      row(path.join('2026-12-03', 'room-a', 'clerk-camera.webm'), 'media-sh-1'),
      row(path.join('2026-12-03', 'room-a', 'other.webm'), 'media-js-1'),
    ]).returning({ id: videoRecordings.id });
    await first.close();

    // The node starts again. In a cluster (Redis) it closes its own rows only; alone (the embedded default,
    // no Redis), every unfinished recording was its own.
    t = await createTestApp({ database, redis: true, env });
    const statusOf = async (id: string | undefined) => (await t!.app.deps.db.select().from(videoRecordings).where(eq(videoRecordings.id, id ?? '')))[0];
    await expect.poll(async () => (await statusOf(mine?.id))?.status, { timeout: 15_000 }).toBe('failed');
    const closed = await statusOf(mine?.id);
    expect(closed?.sha256).toBe(createHash('sha256').update(partial).digest('hex'));
    expect(closed?.bytes).toBe(partial.length);
    expect(closed?.error).toContain('interrupted');
    expect(closed?.endedAt).not.toBeNull();
    const events = await t.app.deps.db.select().from(videoRoomEvents).where(and(eq(videoRoomEvents.roomId, 'room-a'), eq(videoRoomEvents.type, 'recordingFailed')));
    expect(events.map((e) => (e.data as { recordingId?: string }).recordingId)).toContain(mine?.id);
    // Alone, the other row is closed by the same start-up sweep, perhaps a moment after this one.
    if (onPglite) await expect.poll(async () => (await statusOf(theirs?.id))?.status, { timeout: 15_000 }).toBe('failed');
    else expect((await statusOf(theirs?.id))?.status).toBe('recording');
  });
});
