import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

export interface WorkerPoolOptions {
	/** Path of the mediasoup-worker binary (see scripts/build-mediasoup-worker.mjs). Default: mediasoup's own. */
	workerBin?: string;
	/** Default: one per core. */
	numWorkers?: number;
	/** IP the WebRtcServers listen on. Default 127.0.0.1. */
	listenIp?: string;
	/** IP announced in ICE candidates (the public address behind NAT). Default: the listen IP. */
	announcedIp?: string;
	/** Worker i's WebRtcServer listens on UDP and TCP port `rtcBasePort + i`. Default 40000. */
	rtcBasePort?: number;
	/**
	 * Port range for pipe and plain transports (pipeToRouter between workers, benchmarks). Default
	 * `rtcBasePort + 1000 … rtcBasePort + 1999`, away from the WebRtcServer ports.
	 */
	rtcMinPort?: number;
	rtcMaxPort?: number;
	logLevel?: types.WorkerLogLevel;
	logTags?: types.WorkerLogTag[];
	dtlsCertificateFile?: string;
	dtlsPrivateKeyFile?: string;
	/** How often each worker is asked for its resource usage. Default 10 s; 0 disables the heartbeat. */
	heartbeatIntervalMs?: number;
	/** A worker that misses this many heartbeats in a row is killed and replaced. Default 3. */
	heartbeatMaxMisses?: number;
}

export interface WorkerDiedEvent {
	index: number;
	pid: number;
	error: Error;
	/** Rooms that had a router on the dead worker. */
	roomIds: string[];
}

export interface WorkerStats {
	index: number;
	pid: number | undefined;
	alive: boolean;
	port: number;
	routers: number;
	transports: number;
	deaths: number;
	/** CPU (user + system) used between the last two heartbeats, as a share of one core. */
	cpu: number | undefined;
}

interface RouterAppData extends types.AppData {
	roomId: string;
}

/** One worker slot: a fixed index and port; the worker in it is replaced when it dies. */
class WorkerSlot {
	worker: types.Worker | undefined;
	webRtcServer: types.WebRtcServer | undefined;
	readonly routers = new Set<types.Router<RouterAppData>>();
	transports = 0;
	deaths = 0;
	misses = 0;
	cpu: number | undefined;
	lastUsage: { at: number; cpuMs: number } | undefined;

	constructor(
		readonly index: number,
		readonly port: number,
	) {}

	get alive(): boolean {
		return this.worker !== undefined && !this.worker.died && !this.worker.closed && this.webRtcServer !== undefined;
	}
}

// Rationale: mediasoup-demo's codec set: Opus, VP8 (simulcast in every browser), H264 baseline for Safari/iOS.
export const DEFAULT_MEDIA_CODECS: types.RtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{
		kind: 'video',
		mimeType: 'video/VP8',
		clockRate: 90000,
		parameters: { 'x-google-start-bitrate': 1000 },
	},
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: {
			'packetization-mode': 1,
			'profile-level-id': '42e01f',
			'level-asymmetry-allowed': 1,
			'x-google-start-bitrate': 1000,
		},
	},
];

let configuredWorkerBin: string | undefined;

/**
 * mediasoup 3.12 reads its binary path from MEDIASOUP_WORKER_BIN when it loads; the path is the
 * `workerBin` export of its Worker module, read again for every new worker, so we set it there instead of
 * touching the environment.
 */
function useWorkerBin(bin: string): void {
	if (configuredWorkerBin === bin) return;
	const require = createRequire(import.meta.url);
	const workerModule = require('mediasoup/node/lib/Worker.js') as { workerBin: string };
	workerModule.workerBin = bin;
	configuredWorkerBin = bin;
}

type WorkerPoolEvents = { workerdied: [WorkerDiedEvent]; workerstarted: [{ index: number; pid: number }] };

/**
 * One mediasoup worker per core, each with a WebRtcServer on its own UDP+TCP port, started on first use.
 * A worker that dies (or stops answering heartbeats) is replaced in its slot, on the same port, and
 * `workerdied` names the rooms that lost a router so they can be rebuilt elsewhere.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
	readonly #options: Required<
		Pick<WorkerPoolOptions, 'numWorkers' | 'listenIp' | 'rtcBasePort' | 'rtcMinPort' | 'rtcMaxPort' | 'heartbeatIntervalMs' | 'heartbeatMaxMisses'>
	> &
		WorkerPoolOptions;
	readonly #slots: WorkerSlot[];
	#started = false;
	#closed = false;
	#heartbeat: NodeJS.Timeout | undefined;

	constructor(options: WorkerPoolOptions = {}) {
		super();
		const rtcBasePort = options.rtcBasePort ?? 40000;
		const numWorkers = Math.max(1, options.numWorkers ?? os.availableParallelism());
		this.#options = {
			...options,
			numWorkers,
			listenIp: options.listenIp ?? '127.0.0.1',
			rtcBasePort,
			rtcMinPort: options.rtcMinPort ?? rtcBasePort + 1000,
			rtcMaxPort: options.rtcMaxPort ?? rtcBasePort + 1999,
			heartbeatIntervalMs: options.heartbeatIntervalMs ?? 10_000,
			heartbeatMaxMisses: options.heartbeatMaxMisses ?? 3,
		};
		this.#slots = Array.from({ length: numWorkers }, (_, i) => new WorkerSlot(i, rtcBasePort + i));
	}

	get closed(): boolean {
		return this.#closed;
	}

	get size(): number {
		return this.#slots.length;
	}

	/** Starts every worker (done lazily by the first createRouter()); resolves once one is up. */
	async start(): Promise<void> {
		if (this.#closed) throw new Error('WorkerPool closed');
		if (!this.#started) {
			this.#started = true;
			if (this.#options.workerBin) useWorkerBin(this.#options.workerBin);
			const first = this.#slots.map((slot) => this.#spawn(slot));
			if (this.#options.heartbeatIntervalMs > 0) {
				this.#heartbeat = setInterval(() => void this.#beat(), this.#options.heartbeatIntervalMs);
				this.#heartbeat.unref();
			}
			// Wait for every first start so rooms spread from the beginning; one broken slot keeps retrying
			// in the background and does not stop the others.
			const results = await Promise.allSettled(first);
			if (!results.some((r) => r.status === 'fulfilled')) {
				// Every worker failed to start (missing binary, ports taken): surface the first reason.
				const reason: unknown = results.find((r) => r.status === 'rejected')?.reason;
				throw reason instanceof Error ? reason : new Error(String(reason));
			}
			return;
		}
		await this.#anyAlive();
	}

	/** Waits until some worker is alive (they restart on their own after dying). */
	async #anyAlive(timeoutMs = 30_000): Promise<void> {
		if (this.#slots.some((s) => s.alive)) return;
		await new Promise<void>((resolve, reject) => {
			const onStarted = (): void => {
				clearTimeout(timer);
				resolve();
			};
			const timer = setTimeout(() => {
				this.off('workerstarted', onStarted);
				reject(new Error('no mediasoup worker is running'));
			}, timeoutMs);
			this.once('workerstarted', onStarted);
		});
	}

	/**
	 * Creates a router for `roomId` on the least loaded live worker, skipping `avoid` (worker indexes) when
	 * another live worker exists.
	 */
	async createRouter(
		roomId: string,
		{ avoid = [], mediaCodecs = DEFAULT_MEDIA_CODECS }: { avoid?: number[]; mediaCodecs?: types.RtpCodecCapability[] } = {},
	): Promise<{ router: types.Router; workerIndex: number }> {
		await this.start();
		for (;;) {
			if (this.#closed) throw new Error('WorkerPool closed');
			const live = this.#slots.filter((s) => s.alive);
			const preferred = live.filter((s) => !avoid.includes(s.index));
			const candidates = preferred.length > 0 ? preferred : live;
			const slot = candidates.sort((a, b) => a.transports - b.transports || a.routers.size - b.routers.size || a.index - b.index)[0];
			if (!slot?.worker) {
				// Every worker is dead or restarting: wait for one to come back.
				await this.#anyAlive();
				continue;
			}
			const worker = slot.worker;
			const router = await worker.createRouter<RouterAppData>({ mediaCodecs, appData: { roomId } });
			slot.routers.add(router);
			router.observer.on('close', () => {
				// mediasoup closes a dead worker's routers before it emits 'died': keep them listed until
				// #onDied has read which rooms they belonged to.
				if (!worker.died) slot.routers.delete(router);
			});
			router.observer.on('newtransport', (transport) => {
				slot.transports += 1;
				transport.observer.once('close', () => {
					slot.transports -= 1;
				});
			});
			return { router, workerIndex: slot.index };
		}
	}

	/** The WebRtcServer of the worker that hosts `router`. */
	webRtcServerFor(router: types.Router): types.WebRtcServer | undefined {
		for (const slot of this.#slots) {
			if (slot.routers.has(router as types.Router<RouterAppData>)) return slot.webRtcServer;
		}
		return undefined;
	}

	workerIndexOf(router: types.Router): number | undefined {
		return this.#slots.find((s) => s.routers.has(router as types.Router<RouterAppData>))?.index;
	}

	/** The worker process id of a slot (tests kill it to prove recovery). */
	pidOf(index: number): number | undefined {
		return this.#slots[index]?.worker?.pid;
	}

	/** Resource usage of a slot's worker, for benchmarks. */
	async resourceUsage(index: number): Promise<types.WorkerResourceUsage | undefined> {
		const slot = this.#slots[index];
		return slot?.alive ? slot.worker?.getResourceUsage() : undefined;
	}

	stats(): WorkerStats[] {
		return this.#slots.map((s) => ({
			index: s.index,
			pid: s.worker?.pid,
			alive: s.alive,
			port: s.port,
			routers: s.routers.size,
			transports: s.transports,
			deaths: s.deaths,
			cpu: s.cpu,
		}));
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		clearInterval(this.#heartbeat);
		for (const slot of this.#slots) {
			slot.worker?.close();
			slot.worker = undefined;
			slot.webRtcServer = undefined;
		}
		this.removeAllListeners();
	}

	#spawn(slot: WorkerSlot, attempt = 0): Promise<void> {
		const ready = (async () => {
			const o = this.#options;
			const worker = await mediasoup.createWorker({
				logLevel: o.logLevel ?? 'error',
				...(o.logTags ? { logTags: o.logTags } : {}),
				rtcMinPort: o.rtcMinPort,
				rtcMaxPort: o.rtcMaxPort,
				...(o.dtlsCertificateFile ? { dtlsCertificateFile: o.dtlsCertificateFile } : {}),
				...(o.dtlsPrivateKeyFile ? { dtlsPrivateKeyFile: o.dtlsPrivateKeyFile } : {}),
				appData: { index: slot.index },
			});
			if (this.#closed) {
				worker.close();
				throw new Error('WorkerPool closed');
			}
			let webRtcServer: types.WebRtcServer;
			try {
				const announced = o.announcedIp ? { announcedIp: o.announcedIp } : {};
				webRtcServer = await worker.createWebRtcServer({
					listenInfos: [
						{ protocol: 'udp', ip: o.listenIp, port: slot.port, ...announced },
						{ protocol: 'tcp', ip: o.listenIp, port: slot.port, ...announced },
					],
				});
			} catch (error) {
				worker.close();
				throw error;
			}
			slot.worker = worker;
			slot.webRtcServer = webRtcServer;
			slot.misses = 0;
			slot.lastUsage = undefined;
			worker.on('died', (error) => this.#onDied(slot, worker, error));
			this.emit('workerstarted', { index: slot.index, pid: worker.pid });
		})();
		ready.catch(() => {
			if (this.#closed) return;
			// Rationale: the port may still be held for a moment by the dead worker; back off up to 10 s.
			const delay = Math.min(10_000, 250 * 2 ** attempt);
			setTimeout(() => {
				if (!this.#closed) void this.#spawn(slot, attempt + 1);
			}, delay).unref();
		});
		return ready;
	}

	#onDied(slot: WorkerSlot, worker: types.Worker, error: Error): void {
		if (slot.worker !== worker) return;
		const roomIds = [...new Set([...slot.routers].map((r) => r.appData.roomId))];
		slot.deaths += 1;
		slot.worker = undefined;
		slot.webRtcServer = undefined;
		slot.routers.clear();
		slot.transports = 0;
		slot.cpu = undefined;
		if (this.#closed) return;
		void this.#spawn(slot);
		this.emit('workerdied', { index: slot.index, pid: worker.pid, error, roomIds });
	}

	/** Heartbeat: a worker that stops answering requests is killed, so the normal death path moves its rooms. */
	async #beat(): Promise<void> {
		await Promise.all(
			this.#slots.map(async (slot) => {
				const worker = slot.worker;
				if (!worker || !slot.alive) return;
				// Rationale: a healthy worker answers in well under a millisecond; 5 s means it is stuck.
				const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
				const usage = await Promise.race([worker.getResourceUsage().catch(() => 'timeout' as const), timeout]);
				if (slot.worker !== worker) return;
				if (usage === 'timeout') {
					slot.misses += 1;
					if (slot.misses >= this.#options.heartbeatMaxMisses) {
						try {
							process.kill(worker.pid, 'SIGKILL');
						} catch {
							// Already gone: 'died' follows.
						}
					}
					return;
				}
				slot.misses = 0;
				const now = Date.now();
				const cpuMs = usage.ru_utime + usage.ru_stime;
				if (slot.lastUsage) slot.cpu = (cpuMs - slot.lastUsage.cpuMs) / Math.max(1, now - slot.lastUsage.at);
				slot.lastUsage = { at: now, cpuMs };
			}),
		);
	}
}
