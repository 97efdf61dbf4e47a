// Two real Chromium browsers (Debian's /usr/bin/chromium, fake camera/mic/screen) talk through the SFU with
// @yichuang/sfu/client: each decodes the other's camera, one shares its screen, and after the room's
// mediasoup worker is SIGKILLed both recover media (room.rejoin → join again → re-produce) within 10 s.
//
// Screen share: headless Chromium with --use-fake-device-for-media-stream and --use-fake-ui-for-media-stream
// answers getDisplayMedia() with a fake 1280x720 "monitor" capture, so the real getDisplayMedia path of the
// library is used. The page falls back to a second camera track tagged source 'screen' only if capture is
// refused, and the test asserts which one ran (getDisplayMedia).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MediaStats } from '../../sfu/src/client/stats.ts';
import { startMediaServer, token, type TestServer } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const ROOM = 'assist-room-1';
// Chromium's getStats() names the SRTP profile as DTLS-SRTP does (RFC 7714's AEAD_AES_256_GCM).
const SRTP_CIPHER = 'SRTP_AEAD_AES_256_GCM';

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--use-fake-ui-for-media-stream',
	'--use-fake-device-for-media-stream',
	'--allow-loopback-in-peer-connection',
	'--autoplay-policy=no-user-gesture-required',
	'--auto-select-desktop-capture-source=Entire screen',
];

/** What the test page puts on globalThis.yc (see page/two-browsers-page.mjs). */
interface PageApi {
	join(url: string, token: string, renewUrl?: string): Promise<string>;
	shareScreen(): Promise<string>;
	stats(): Promise<MediaStats>;
	srtpCiphers(): Promise<[RTCPeerConnectionState: string, srtpCipher: string | null][]>;
	connectionState(): string | undefined;
	silenceMedia(): void;
	state: { states: string[]; remote: { peerId: string; source: string; kind: string; consumerId: string }[]; error?: string };
}
// Typed twin of the page's own global `api()` (page.evaluate callbacks run in the page, where it is defined).
const api = (): PageApi => (globalThis as unknown as { yc: PageApi }).yc;

let server: TestServer;
const browsers: Browser[] = [];
let pageA: Page;
let pageB: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install chromium`);
	const bundle = await build({
		entryPoints: [path.join(here, 'page', 'two-browsers-page.mjs')],
		bundle: true,
		format: 'esm',
		platform: 'browser',
		target: 'chrome120',
		write: false,
		logLevel: 'silent',
	});
	const js = bundle.outputFiles[0]?.text ?? '';
	const html = '<!doctype html><meta charset="utf-8"><title>yc media test</title><script type="module" src="/page.js"></script>';
	server = await startMediaServer({
		numWorkers: 2,
		// Rationale: Chrome pings a stable ICE pair every 2.5 s and sends RTCP about every second, so 6 s of
		// silence is a dead path; production keeps the 30 s default.
		roomOptions: { watchdogIntervalMs: 1000, mediaTimeoutMs: 6000 },
		httpHandler: (req, res) => {
			if (req.url?.startsWith('/renew?')) {
				// The API's part in renewJoin: a fresh join token for the same room and participant.
				const q = new URL(req.url, 'http://x').searchParams;
				res.writeHead(200, { 'content-type': 'text/plain' }).end(token({ roomId: q.get('room') ?? '', participantId: q.get('peer') ?? '' }));
			} else if (req.url === '/page.js') {
				res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
			} else if (req.url === '/') {
				res.writeHead(200, { 'content-type': 'text/html' }).end(html);
			} else {
				res.writeHead(404).end();
			}
		},
	});
	server.openRooms.add(ROOM);
	for (let i = 0; i < 2; i++) browsers.push(await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }));
	const pages: Page[] = [];
	for (const browser of browsers) {
		const page = await browser.newPage();
		page.on('pageerror', (error) => pageErrors.push(error.message));
		await page.goto(`${server.url}/`);
		await page.waitForFunction(() => 'yc' in globalThis);
		pages.push(page);
	}
	[pageA, pageB] = pages as [Page, Page];
}, 120_000);

afterAll(async () => {
	for (const browser of browsers) await browser.close().catch(() => undefined);
	await server?.close();
});

/** Frames decoded per inbound video from `peerId` (and `source`), keyed by consumer. */
async function decoded(page: Page, peerId: string, source: string): Promise<Map<string, number>> {
	const stats = await page.evaluate(() => api().stats());
	const out = new Map<string, number>();
	for (const s of stats.inbound) {
		if (s.kind === 'video' && s.peerId === peerId && s.source === source) out.set(s.consumerId, s.framesDecoded ?? 0);
	}
	return out;
}

/** Waits until some consumer of `peerId`'s `source` video not in `except` decodes frames and keeps decoding. */
async function waitForVideo(page: Page, peerId: string, source: string, timeoutMs: number, except: Set<string> = new Set()): Promise<string> {
	const until = Date.now() + timeoutMs;
	let previous = new Map<string, number>();
	for (;;) {
		const now = await decoded(page, peerId, source);
		for (const [consumerId, frames] of now) {
			const before = previous.get(consumerId);
			if (!except.has(consumerId) && before !== undefined && frames > before && before > 0) return consumerId;
		}
		previous = now;
		if (Date.now() > until) throw new Error(`no ${source} video from ${peerId} decoding (last: ${JSON.stringify([...now])})`);
		await new Promise((r) => setTimeout(r, 400));
	}
}

/**
 * Waits until the page's connection has passed through `through` and is joined again. The other side decodes
 * the page's new producers before the page has finished consuming theirs, so "joined" comes a moment later.
 */
async function waitForRejoined(page: Page, through: string, timeoutMs: number): Promise<string[]> {
	await page
		.waitForFunction((reason) => api().state.states.includes(reason) && api().state.states.at(-1) === 'joined', through, { timeout: timeoutMs })
		.catch(() => undefined); // the assertions below say what the states were
	return page.evaluate(() => api().state.states);
}

test('two browsers see each other, share a screen and survive the death of the room’s worker', { timeout: 120_000 }, async () => {
	const url = server.url;
	const tokenA = token({ roomId: ROOM, participantId: 'clerk-a', role: 'clerk', displayName: '窗口 A' });
	const tokenB = token({ roomId: ROOM, participantId: 'expert-b', role: 'expert', displayName: '专家 B' });
	expect(await pageA.evaluate(([u, t]) => api().join(u, t), [url, tokenA] as const)).toBe('clerk-a');
	expect(await pageB.evaluate(([u, t]) => api().join(u, t), [url, tokenB] as const)).toBe('expert-b');

	// Each page decodes the other's camera.
	const camAtB = await waitForVideo(pageB, 'clerk-a', 'camera', 20_000);
	const camAtA = await waitForVideo(pageA, 'expert-b', 'camera', 20_000);

	// Media is encrypted with the SRTP profile DTLS-SRTP settled on between Chromium and the SFU, the one
	// bench/sfu capacity-plans with: AES-256-GCM (mediasoup's first choice; Chromium offers the GCM suites).
	for (const page of [pageA, pageB]) {
		expect(await page.evaluate(() => api().srtpCiphers())).toEqual([
			['connected', SRTP_CIPHER],
			['connected', SRTP_CIPHER],
		]);
	}

	// A's camera goes out as simulcast (three layers).
	const statsA = await pageA.evaluate(() => api().stats());
	expect(statsA.outbound.find((o) => o.source === 'camera')?.layers.length).toBe(3);

	// A shares its screen; B receives it.
	expect(await pageA.evaluate(() => api().shareScreen())).toBe('getDisplayMedia');
	const screenAtB = await waitForVideo(pageB, 'clerk-a', 'screen', 20_000);
	expect(server.events.filter((e) => e.type === 'shareStarted').map((e) => e.participantId)).toEqual(['clerk-a']);
	const consumersAtB = server.media.room(ROOM)?.peers.get('expert-b')?.consumers;
	expect([...(consumersAtB?.values() ?? [])].find((c) => c.appData.source === 'screen')?.priority).toBeGreaterThan(1);

	// Kill the room's worker.
	const [workerIndex] = server.media.roomWorkers(ROOM) ?? [];
	const pid = workerIndex === undefined ? undefined : server.media.pool.pidOf(workerIndex);
	if (pid === undefined) throw new Error('no worker pid for the room');
	const killedAt = Date.now();
	process.kill(pid, 'SIGKILL');

	// Both recover camera media (new consumers, frames decoding) within 10 s; the screen share comes back too.
	const [newCamAtB, newCamAtA] = await Promise.all([
		waitForVideo(pageB, 'clerk-a', 'camera', 10_000, new Set([camAtB])),
		waitForVideo(pageA, 'expert-b', 'camera', 10_000, new Set([camAtA])),
	]);
	const recoveredMs = Date.now() - killedAt;
	expect(recoveredMs).toBeLessThan(10_000);
	expect(newCamAtB).not.toBe(camAtB);
	expect(newCamAtA).not.toBe(camAtA);
	await waitForVideo(pageB, 'clerk-a', 'screen', 10_000, new Set([screenAtB]));
	expect(server.media.roomWorkers(ROOM)).not.toContain(workerIndex);

	const statesA = await waitForRejoined(pageA, 'rejoining:workerDied', 10_000);
	expect(statesA).toContain('rejoining:workerDied');
	expect(statesA.at(-1)).toBe('joined');
	// The connections to the replacement worker negotiate the same cipher (the dead ones are closed).
	for (const page of [pageA, pageB]) {
		expect((await page.evaluate(() => api().srtpCiphers())).map(([, cipher]) => cipher)).toEqual([SRTP_CIPHER, SRTP_CIPHER]);
	}
	expect(pageErrors).toEqual([]);
	console.info(`[two-browsers] media recovered ${recoveredMs} ms after SIGKILL of worker pid ${pid}`);
});

test('a browser whose media path dies silently is told to rejoin by the watchdog and recovers', { timeout: 60_000 }, async () => {
	const before = await decoded(pageB, 'clerk-a', 'camera');
	const cutAt = Date.now();
	await pageA.evaluate(() => api().silenceMedia());
	// The socket stays connected; only the server's byte-counter watchdog can notice.
	await waitForVideo(pageB, 'clerk-a', 'camera', 30_000, new Set(before.keys()));
	const recoveredMs = Date.now() - cutAt;
	const statesA = await waitForRejoined(pageA, 'rejoining:mediaTimeout', 10_000);
	expect(statesA).toContain('rejoining:mediaTimeout');
	expect(statesA.at(-1)).toBe('joined');
	await waitForVideo(pageA, 'expert-b', 'camera', 10_000);
	expect(pageErrors).toEqual([]);
	console.info(`[two-browsers] silent media path detected and recovered in ${recoveredMs} ms`);
});

test('a call older than its join token survives a rejoin: the client asks for a fresh token instead of ending', { timeout: 60_000 }, async () => {
	const room = 'assist-room-expiring';
	server.openRooms.add(room);
	const page = await browsers[0]!.newPage();
	page.on('pageerror', (error) => pageErrors.push(error.message));
	await page.goto(`${server.url}/`);
	await page.waitForFunction(() => 'yc' in globalThis);
	// A token good for the join and no longer: by the rejoin, it has expired (production: 10 minutes).
	const shortLived = token({ roomId: room, participantId: 'clerk-c', exp: Date.now() + 3_000 });
	const renewUrl = `${server.url}/renew?room=${room}&peer=clerk-c`;
	expect(await page.evaluate(([u, t, r]) => api().join(u, t, r), [server.url, shortLived, renewUrl] as const)).toBe('clerk-c');
	await new Promise((r) => setTimeout(r, 4_000));

	const [workerIndex] = server.media.roomWorkers(room) ?? [];
	const pid = workerIndex === undefined ? undefined : server.media.pool.pidOf(workerIndex);
	if (pid === undefined) throw new Error('no worker pid for the room');
	process.kill(pid, 'SIGKILL');

	const states = await waitForRejoined(page, 'rejoining:workerDied', 20_000);
	expect(states.filter((s) => s.startsWith('closed'))).toEqual([]);
	expect(states.at(-1)).toBe('joined');
	expect(server.media.room(room)?.peers.has('clerk-c')).toBe(true);
	expect(pageErrors).toEqual([]);
	await page.close();
});
