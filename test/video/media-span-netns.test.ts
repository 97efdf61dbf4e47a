/**
 * 三地屏对屏 on separate hosts, for real: three Linux network namespaces (Qingpu SH-QP, Wujiang JS-WJ, Jiashan
 * ZJ-JS) linked through a router namespace with 15 ms and 0.5 % loss on every host's egress (`tc netem`; on a
 * kernel without sch_netem, nftables drops and a delaying relay for the inter-node pipes, netns.ts), one
 * media node in each, and a Chromium in each running the real media client (two pages in Jiashan). The API
 * node stays in the root namespace on loopback and hands out the join answers (the pages ask it for fresh
 * ones through Playwright's pipe, as the web apps would over HTTP); Postgres and the test's own Redis are
 * reached from the namespaces over Unix sockets, so no address outside the namespaces and loopback is used.
 *
 * Asserts: every page decodes every other participant's camera and the clerk's screen share; the bytes
 * through the Jiashan host's link match one copy of each far producer (not one per consumer: Jiashan has
 * two), and the Qingpu host sends one copy per far node; after `kill -9` of the Wujiang node, its clerk gets
 * a fresh join naming a live node and media flows both ways again within 10 s, with nobody reloading, and the
 * others' connections untouched. Needs root; fails (never skips) without it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { COMPILED_SERVER_ARGS } from '../../scripts/build-server.mjs';
import type { MediaStats } from '../../sfu/src/client/stats.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';
import { httpJson, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { openSpanCall, type SpanCall, type SpanRole } from './media-span-helpers.ts';
import { createHosts, ipOf, netemMissing, relayIpOf, startDelayRelay, type LinkEmulation, nsOf, removeNamespaces, scratchDir, unixForwarder, wanBytes, wrapperIn, type RegionHost } from './netns.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const ADMIN_PASSWORD = 'proc-admin-pass'; // startServerProcess's
const MEDIA_PORT = 8090; // each host has its own port space
const LINK = { delayMs: 15, lossPct: 0.5 };
const REGION: Record<RegionHost, string> = { sh: 'SH-QP', wj: 'JS-WJ', zj: 'ZJ-JS' };
const PAGE_ORIGIN = 'http://yc-span.localhost'; // *.localhost is a secure context: getUserMedia works

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
	'--autoplay-policy=no-user-gesture-required',
	'--auto-select-desktop-capture-source=Entire screen',
	// The test page is served by Playwright (no address of its own) and talks to media nodes on private
	// addresses: Chromium's Local Network Access checks would ask the user first.
	'--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests',
];

interface PageApi {
	join(endpoint: { url: string; path: string; token: string; node?: string }): Promise<string>;
	shareScreen(): Promise<void>;
	stats(): Promise<MediaStats>;
	state: { states: string[]; error?: string };
}
const api = (): PageApi => (globalThis as unknown as { yc: PageApi }).yc;

let db: TestDatabase;
let scratch: ReturnType<typeof scratchDir>;
let pgForwarder: { close(): Promise<void> } | undefined;
let redis: ChildProcess | undefined;
let api_: ServerProcess;
const nodes = new Map<RegionHost, ChildProcess>();
const nodeOutput = new Map<RegionHost, () => string>();
const browsers: Browser[] = [];
const pages = {} as Record<SpanRole, Page>;
const pageErrors: string[] = [];
/** Every fresh join a page asked for, with the node it said it had lost (renewJoin's `lostNode`). */
const renewals: { who: SpanRole; lostNode: string | null; named: string | undefined }[] = [];
let call: SpanCall;
let emulation: LinkEmulation;
let relay: Awaited<ReturnType<typeof startDelayRelay>> | undefined;
/** Reads the cascade's offers and answers off the test's Redis, to tell the relay which pipe tuples to bind. */
let snoop: Redis | undefined;
/** The media nodes' pipe ports: YC_RTC_BASE_PORT (40000) + 1000 … + 1999. */
const PIPE_PORTS = [41_000, 41_999] as const;

/** A media node inside `host`'s namespace (`ip netns exec` execs node, so the pid is the server's own). */
async function startMediaNode(host: RegionHost, shared: Record<string, string>): Promise<void> {
	const ip = ipOf(host);
	const child = spawn('ip', ['netns', 'exec', nsOf(host), process.execPath, ...COMPILED_SERVER_ARGS], {
		cwd: root,
		env: {
			...process.env, ...shared, HOST: ip, PORT: String(MEDIA_PORT), YC_DEMO_SEED: '0', LOG_LEVEL: 'warn', YC_ADMIN_PASSWORD: ADMIN_PASSWORD,
			YC_MEDIA: '1', YC_MEDIA_REGION: REGION[host], YC_MEDIA_NODE_ID: `media-${host}`, YC_MEDIA_URL: `http://${ip}:${MEDIA_PORT}`,
			YC_RTC_LISTEN_IP: ip, YC_RTC_BASE_PORT: '40000', YC_MEDIA_PIPE_IP: ip, YC_RECORDINGS_DIR: path.join(scratch.dir, `recordings-${host}`),
			...(emulation === 'netem' ? {} : { YC_MEDIA_PIPE_ANNOUNCED_IP: relayIpOf(host) }), YC_MEDIA_WORKERS: '1', MEDIASOUP_WORKER_BIN: await resolveMediasoupWorker(),
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
	child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
	nodes.set(host, child);
	nodeOutput.set(host, () => out);
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`media node ${host} did not start:\n${out}`)), 90_000);
		const check = (): void => {
			if (out.includes('is running')) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout?.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`media node ${host} exited (${code}):\n${out}`));
		});
	});
}

async function startRedis(socket: string): Promise<ChildProcess> {
	const child = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
	for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
	if (!existsSync(socket)) throw new Error('redis-server did not start');
	return child;
}

async function openPage(browser: Browser, who: SpanRole, js: string): Promise<Page> {
	const page = await browser.newPage();
	page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
	await page.route(`${PAGE_ORIGIN}/**`, (route) => {
		const url = new URL(route.request().url());
		if (url.pathname === '/page.js') return route.fulfill({ contentType: 'text/javascript', body: js });
		return route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>' });
	});
	// The page's fresh join: the API answers over loopback; the page gets it through Playwright's pipe.
	await page.exposeFunction('ycRenew', async (lostNode: string | null) => {
		const join = await call.renew(who, lostNode ?? undefined);
		renewals.push({ who, lostNode, named: join.media.node });
		return { url: join.media.url ?? api_.url, path: join.media.path, token: join.token, ...(join.media.node ? { node: join.media.node } : {}) };
	});
	await page.goto(`${PAGE_ORIGIN}/`);
	await page.waitForFunction(() => 'yc' in globalThis);
	return page;
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install chromium`);
	emulation = await createHosts(LINK);
	console.info(`[media-span-netns] link emulation: ${emulation === 'netem' ? `netem ${LINK.delayMs} ms, ${LINK.lossPct} % loss` : `no sch_netem in this kernel: ${LINK.lossPct} % loss by nftables, ${LINK.delayMs} ms on the pipes by a relay in the router namespace`}`);
	if (emulation !== 'netem') relay = await startDelayRelay(LINK.delayMs, PIPE_PORTS[0], PIPE_PORTS[1]);
	scratch = scratchDir();
	db = await createTestDatabase(`yc_span_${randomBytes(5).toString('hex')}`);
	const pgUrl = new URL(db.url);
	pgForwarder = await unixForwarder(path.join(scratch.dir, `.s.PGSQL.${pgUrl.port || 5432}`), Number(pgUrl.port || 5432), pgUrl.hostname);
	const redisSocket = path.join(scratch.dir, 'redis.sock');
	redis = await startRedis(redisSocket);
	if (relay) {
		const bindFor = relay.bind;
		snoop = new Redis({ path: redisSocket, maxRetriesPerRequest: 1 });
		snoop.on('pmessage', (_pattern: string, _channel: string, raw: string) => {
			const m = JSON.parse(raw) as { type?: string; ip?: string; port?: number };
			if ((m.type === 'offer' || m.type === 'answer') && m.ip && m.port) bindFor(m.ip, m.port);
		});
		await snoop.psubscribe('yct-netns:media:to:*');
	}
	const socketDbUrl = `postgres://${pgUrl.username}${pgUrl.password ? `:${pgUrl.password}` : ''}@${pgUrl.pathname}?host=${encodeURIComponent(scratch.dir)}&port=${pgUrl.port || 5432}`;
	const shared = { REDIS_URL: redisSocket, YC_REDIS_PREFIX: 'yct-netns', YC_SECRET: 'media-span-netns-secret', YC_MEDIA_PATH: '/media-io' };
	for (const host of ['sh', 'wj', 'zj'] as const) await startMediaNode(host, { ...shared, DATABASE_URL: socketDbUrl });
	api_ = await startServerProcess({ ...shared, DATABASE_URL: db.url, YC_MEDIA: '0' });
	// The Wujiang desk records its calls for audit: a spanning room must still be recorded, each node
	// recording its own participants' tracks.
	call = await openSpanCall(api_.url, ADMIN_PASSWORD, randomBytes(3).toString('hex'), async ({ wj }) => {
		const client = new pg.Client({ connectionString: db.url });
		await client.connect();
		await client.query(`update sites set policy = '{"recordSessions": true}'::jsonb where id = $1`, [wj]);
		await client.end();
	});
	expect(call.recorded).toBe(true);

	const bundle = await build({
		entryPoints: [path.join(here, 'page', 'media-span-page.mjs')], bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', write: false, logLevel: 'silent',
	});
	const js = bundle.outputFiles[0]?.text ?? '';
	const seats: [RegionHost, SpanRole[]][] = [['sh', ['expertSH']], ['wj', ['clerkWJ']], ['zj', ['expertZJ', 'expertZJ2']]];
	for (const [host, people] of seats) {
		const browser = await chromium.launch({ executablePath: wrapperIn(scratch.dir, nsOf(host), CHROMIUM), args: CHROMIUM_ARGS });
		browsers.push(browser);
		for (const who of people) pages[who] = await openPage(browser, who, js);
	}
}, 600_000);

afterAll(async () => {
	for (const b of browsers) await b.close().catch(() => undefined);
	await api_?.stop();
	for (const child of nodes.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	await Promise.all([...nodes.values()].map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
	redis?.kill('SIGKILL');
	snoop?.disconnect();
	relay?.child.kill('SIGKILL');
	await pgForwarder?.close();
	await removeNamespaces();
	await db?.drop();
	scratch?.remove();
}, 60_000);

/** Frames decoded per inbound video of `peerId`'s `source`, keyed by consumer. */
async function decoded(page: Page, peerId: string, source: string): Promise<Map<string, number>> {
	const stats = await page.evaluate(() => api().stats());
	const out = new Map<string, number>();
	for (const s of stats.inbound) if (s.kind === 'video' && s.peerId === peerId && s.source === source) out.set(s.consumerId, s.framesDecoded ?? 0);
	return out;
}

/** Waits until a consumer of `peerId`'s `source` not in `except` decodes frames and keeps decoding. */
async function waitForVideo(page: Page, peerId: string, source: string, timeoutMs: number, except: Set<string> = new Set()): Promise<string> {
	const end = Date.now() + timeoutMs;
	let previous = new Map<string, number>();
	for (;;) {
		const now = await decoded(page, peerId, source).catch(() => new Map<string, number>());
		for (const [consumerId, frames] of now) {
			const before = previous.get(consumerId);
			if (!except.has(consumerId) && before !== undefined && before > 0 && frames > before) return consumerId;
		}
		previous = now;
		if (Date.now() > end) throw new Error(`no ${source} video from ${peerId} decoding (last: ${JSON.stringify([...now])})`);
		await new Promise((r) => setTimeout(r, 300));
	}
}

/** Bytes a page's producers have put on the wire: payload plus, per packet, RTP+SRTP+UDP+IP+Ethernet headers. */
async function sentBytes(page: Page): Promise<number> {
	// Rationale: 12 B RTP + ~12 B header extensions + 10 B SRTP tag + 8 B UDP + 20 B IP + 14 B Ethernet.
	const PER_PACKET = 76;
	const stats = await page.evaluate(() => api().stats());
	return stats.outbound.reduce((n, o) => n + o.bytesSent + o.packetsSent * PER_PACKET, 0);
}

const EVERYONE: SpanRole[] = ['expertSH', 'clerkWJ', 'expertZJ', 'expertZJ2'];

test('三地: each region on its own node, one copy per producer across the link, and failover after kill -9', { timeout: 240_000 }, async () => {
	// Placement: each participant's join names its own region's node.
	expect(call.join.expertSH.media).toMatchObject({ node: 'media-sh', url: `http://${ipOf('sh')}:${MEDIA_PORT}` });
	expect(call.join.clerkWJ.media).toMatchObject({ node: 'media-wj', url: `http://${ipOf('wj')}:${MEDIA_PORT}` });
	expect(call.join.expertZJ.media).toMatchObject({ node: 'media-zj' });
	expect(call.join.expertZJ2.media).toMatchObject({ node: 'media-zj' });
	for (const who of EVERYONE) {
		const j = call.join[who];
		expect(await pages[who].evaluate((e) => api().join(e), { url: j.media.url ?? '', path: j.media.path, token: j.token, ...(j.media.node ? { node: j.media.node } : {}) })).toBe(call.staffIds[who]);
	}
	await pages.clerkWJ.evaluate(() => api().shareScreen());

	// Everyone decodes everyone else's camera, and the clerk's screen.
	const cams = new Map<string, string>();
	await Promise.all(
		EVERYONE.flatMap((viewer) =>
			EVERYONE.filter((p) => p !== viewer).map(async (sender) => cams.set(`${viewer}<${sender}`, await waitForVideo(pages[viewer], call.staffIds[sender], 'camera', 60_000))),
		),
	);
	const screens = new Map<string, string>();
	for (const viewer of ['expertSH', 'expertZJ', 'expertZJ2'] as const) screens.set(viewer, await waitForVideo(pages[viewer], call.staffIds.clerkWJ, 'screen', 30_000));

	// Bytes across the links over a few seconds of steady media.
	await new Promise((r) => setTimeout(r, 3_000));
	const before = { zj: await wanBytes('zj'), sh: await wanBytes('sh'), sentSH: await sentBytes(pages.expertSH), sentWJ: await sentBytes(pages.clerkWJ) };
	await new Promise((r) => setTimeout(r, 8_000));
	const after = { zj: await wanBytes('zj'), sh: await wanBytes('sh'), sentSH: await sentBytes(pages.expertSH), sentWJ: await sentBytes(pages.clerkWJ) };
	const sentSH = after.sentSH - before.sentSH;
	const sentWJ = after.sentWJ - before.sentWJ;
	// Jiashan has two consumers of every far producer: one copy each is sentSH + sentWJ, one per consumer twice that.
	const zjRatio = (after.zj.rx - before.zj.rx) / (sentSH + sentWJ);
	// Qingpu's producers go to the two other nodes once each.
	const shRatio = (after.sh.tx - before.sh.tx) / (2 * sentSH);
	console.info(`[media-span-netns] over 8 s: SH producers ${sentSH} B, WJ producers ${sentWJ} B; ZJ link in ${after.zj.rx - before.zj.rx} B (${zjRatio.toFixed(2)} copies per producer), SH link out ${after.sh.tx - before.sh.tx} B (${shRatio.toFixed(2)} copies per far node)`);
	// Without netem, the pipes' packets must really have taken the relay's delayed path.
	// It holds one socket per pipe tuple announced (two per link, a few links), not one per port of the range.
	if (relay) {
		console.info(`[media-span-netns] relay: ${relay.relayed()} packets through ${relay.sockets()} sockets`);
		expect(relay.relayed()).toBeGreaterThan(1_000);
		expect(relay.sockets()).toBeLessThan(40);
	}
	expect(zjRatio).toBeGreaterThan(0.8);
	expect(zjRatio).toBeLessThan(1.35);
	expect(shRatio).toBeGreaterThan(0.8);
	expect(shRatio).toBeLessThan(1.35);

	// kill -9 the Wujiang node.
	const wj = nodes.get('wj');
	if (!wj?.pid) throw new Error('no Wujiang node');
	const killedAt = Date.now();
	wj.kill('SIGKILL');
	const except = new Set(cams.values());
	const [atSH, atZJ, atClerk] = await Promise.all([
		waitForVideo(pages.expertSH, call.staffIds.clerkWJ, 'camera', 10_000, except).then(() => Date.now() - killedAt),
		waitForVideo(pages.expertZJ, call.staffIds.clerkWJ, 'camera', 10_000, except).then(() => Date.now() - killedAt),
		waitForVideo(pages.clerkWJ, call.staffIds.expertSH, 'camera', 10_000, except).then(() => Date.now() - killedAt),
	]);
	const recoveredMs = Math.max(atSH, atZJ, atClerk);
	expect(recoveredMs).toBeLessThan(10_000);
	await waitForVideo(pages.expertSH, call.staffIds.clerkWJ, 'screen', 15_000, new Set(screens.values()));
	const screenMs = Date.now() - killedAt;
	// The clerk went through a failover without a reload; the others never rejoined.
	// Its media flows before its rejoin has finished consuming everyone's producers (one renegotiation each, slow
	// on a loaded machine): wait for the join to complete rather than catch it half-way.
	let clerkStates = await pages.clerkWJ.evaluate(() => api().state.states);
	for (let i = 0; i < 50 && clerkStates.at(-1) !== 'joined'; i++) {
		await new Promise((r) => setTimeout(r, 200));
		clerkStates = await pages.clerkWJ.evaluate(() => api().state.states);
	}
	expect(clerkStates.at(-1), JSON.stringify(clerkStates)).toBe('joined');
	expect(clerkStates.some((s) => s.startsWith('rejoining'))).toBe(true);
	// Its renewal named the node it lost, and the first answer named a live one (not the dead node, whose
	// record was still in the registry).
	const clerkRenewals = renewals.filter((r) => r.who === 'clerkWJ');
	console.info(`[media-span-netns] clerk renewals: ${JSON.stringify(clerkRenewals)}`);
	expect(clerkRenewals[0]).toMatchObject({ lostNode: 'media-wj' });
	expect(['media-sh', 'media-zj']).toContain(clerkRenewals[0]?.named);
	for (const who of ['expertSH', 'expertZJ', 'expertZJ2'] as const) expect(await pages[who].evaluate(() => api().state.states)).toEqual(['joined']);
	expect(pageErrors).toEqual([]);
	console.info(`[media-span-netns] after kill -9 of the Wujiang node: clerk seen again at SH in ${atSH} ms, at ZJ in ${atZJ} ms; clerk sees SH in ${atClerk} ms; screen back in ${screenMs} ms`);

	// Recording: the call ends; every node still alive stores its own participants' tracks, all listed on the
	// session (the clerk's tracks from after the failover too; those on the killed node's disk are lost with it).
	const ended = await httpJson(api_.url, 'POST', `/assist-sessions/${call.sessionId}/end`, undefined, call.auth.clerkWJ);
	expect(ended.status).toBe(200);
	type Rec = { participantId: string; source: string; status: string; bytes: number };
	let recs: Rec[] = [];
	const want = ['expertSH', 'expertZJ', 'expertZJ2', 'clerkWJ'] as const;
	const stored = (who: SpanRole) => recs.some((r) => r.participantId === call.staffIds[who] && r.source === 'camera' && r.status === 'stored' && r.bytes > 0);
	// Up to a minute: each node's ffmpeg finishes its files after the end, slowly on a loaded machine.
	for (let i = 0; i < 120 && !want.every(stored); i++) {
		await new Promise((r) => setTimeout(r, 500));
		recs = (await httpJson(api_.url, 'GET', `/assist-sessions/${call.sessionId}`, undefined, call.auth.clerkWJ)).body.recordings as Rec[];
	}
	const listed = recs.map((r) => `${Object.entries(call.staffIds).find(([, id]) => id === r.participantId)?.[0] ?? r.participantId} ${r.source} ${r.status} ${r.bytes} B`).join(', ');
	console.info(`[media-span-netns] recordings: ${listed}`);
	for (const who of want) expect(stored(who), `${who}'s camera stored (recordings: ${listed})`).toBe(true);
	void nodeOutput;
});

test('tc errors that mean "no netem in this kernel" take the relay path; any other tc error fails the setup', () => {
	for (const said of ['Error: Specified qdisc kind is unknown.', 'RTNETLINK answers: No such file or directory', 'Unknown qdisc "netem", hence option "delay" is unparsable', 'qdisc netem not found']) {
		expect(netemMissing(said), said).toBe(true);
	}
	for (const said of ['RTNETLINK answers: Operation not permitted', 'Cannot find device "wan0"', 'Error: Exclusivity flag on, cannot modify.']) expect(netemMissing(said), said).toBe(false);
	console.info(`[media-span-netns] this run: ${emulation === 'netem' ? 'tc netem' : 'no netem: nftables loss and the pipe relay'}`);
});
