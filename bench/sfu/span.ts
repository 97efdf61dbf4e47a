// Rooms spanning media nodes (sfu/src/Cascade.ts) against a room on one node, with the mediasoup-worker we build.
//
//   node --import tsx bench/sfu/span.ts [--quick] [--no-write]
//
// Each "node" is a mediasoup worker of its own (a WorkerPool each, as separate media nodes have); the link
// between them is what the cascade builds: one SRTP PipeTransport per node pair with NACK/RTX, over loopback.
// A generator sends a 2 Mbit/s video stream (VP8 key-frame-shaped RTP, so every consumer forwards it, each
// packet stamped with its send time) as plain RTP into a PlainTransport producer; N consumers (SRTP
// AEAD_AES_256_GCM PlainTransports, what Chromium negotiates) send it to a UDP sink, plus one plain consumer
// whose packets the sink reads the stamp from.
//   A. one node:  producer and N consumers on worker A.
//   B. spanning:  producer on worker A, piped to worker B, N consumers on worker B.
// Figures: worker CPU per forwarded packet on each node (getResourceUsage deltas over the window), the extra
// CPU a spanning room costs, bytes on the link per producer (the pipe transport's counters) for N = 1 and
// N = 8 far consumers, and the added send-to-sink delay (the stamp, p50/p95) — on loopback, so the link's own
// latency (15 ms between provinces) comes on top. Then D: three nodes sharing 300 participants (100 三地 calls,
// one participant per region, camera + mic each), built with the real Room and Cascade classes: consumers and
// pipe consumers per node against one node holding all 300.
// Results replace the "## SFU spanning nodes" section of bench/RESULTS.md.
import dgram from 'node:dgram';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { types } from 'mediasoup';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { Cascade, type CascadeMessage } from '../../sfu/src/Cascade.ts';
import { Room } from '../../sfu/src/Room.ts';
import { WorkerPool } from '../../sfu/src/WorkerPool.ts';
import { writeSection } from '../lib/results.ts';

const quick = process.argv.includes('--quick');
const write = !process.argv.includes('--no-write');
const WINDOW_MS = quick ? 3_000 : 6_000;
const WARMUP_MS = 1_500;
const LOCALHOST = '127.0.0.1';
// Rationale: 2 Mbit/s of ~1,000-byte packets, a camera's three simulcast layers and a screen share: enough
// packets per window for worker CPU deltas to stand out of the noise of a shared machine.
const PACKET_BYTES = 1_000;
const PACKETS_PER_SEC = 250;
const FAR_CONSUMERS = [1, 8];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const VP8 = { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 };
const RTP_CAPS: types.RtpCapabilities = { codecs: [{ ...VP8, preferredPayloadType: 101 }] };

async function startPool(bin: string, base: number): Promise<WorkerPool> {
	const pool = new WorkerPool({ workerBin: bin, numWorkers: 1, rtcBasePort: base, heartbeatIntervalMs: 0 });
	await pool.start();
	return pool;
}

/** Worker CPU (share of one core) over a window, from getResourceUsage deltas. */
async function cpuOver(pools: WorkerPool[], ms: number): Promise<number[]> {
	const usage = async (p: WorkerPool) => {
		const u = await p.resourceUsage(0);
		return u ? u.ru_utime + u.ru_stime : 0;
	};
	const before = await Promise.all(pools.map(usage));
	const t0 = performance.now();
	await sleep(ms);
	const after = await Promise.all(pools.map(usage));
	const wall = performance.now() - t0;
	return pools.map((_, i) => ((after[i] ?? 0) - (before[i] ?? 0)) / wall);
}

/** A UDP sink counting packets, and reading the send stamp of the plain (latency) consumer's packets. */
async function startSink(): Promise<{ port: number; plainPort: number; packets: () => number; delays: number[]; close(): void }> {
	const sink = dgram.createSocket('udp4');
	const plain = dgram.createSocket('udp4');
	let packets = 0;
	const delays: number[] = [];
	sink.on('message', () => (packets += 1));
	plain.on('message', (msg) => {
		// mediasoup rewrites the VP8 descriptor (and may add header extensions): find the stamp by its marker.
		const at = msg.indexOf(STAMP_MARK, 12);
		if (at < 0) return;
		delays.push(performance.timeOrigin + performance.now() - msg.readDoubleBE(at + STAMP_MARK.length));
	});
	await new Promise<void>((r) => sink.bind(0, LOCALHOST, r));
	await new Promise<void>((r) => plain.bind(0, LOCALHOST, r));
	return { port: sink.address().port, plainPort: plain.address().port, packets: () => packets, delays, close: () => (sink.close(), plain.close()) };
}

/** Where in the RTP payload the send time (ms, a double) is painted, after a marker: past the VP8 descriptor and header. */
const STAMP_AT = 16;
const STAMP_MARK = Buffer.from([0xc0, 0xff, 0xee, 0x11]);

/** Sends VP8 key-frame-shaped RTP to `port`, stamped with the wall clock (ms) at payload offset STAMP_AT. */
function startGenerator(port: number, ssrc: number): { sent: () => number; stop(): void } {
	const socket = dgram.createSocket('udp4');
	let seq = 0;
	let sent = 0;
	const started = performance.now();
	const timer = setInterval(() => {
		const due = Math.floor(((performance.now() - started) / 1000) * PACKETS_PER_SEC);
		while (sent < due) {
			const packet = Buffer.alloc(12 + PACKET_BYTES);
			packet[0] = 0x80;
			packet[1] = 0x80 | 101; // marker: every packet a whole frame
			packet.writeUInt16BE(seq++ & 0xffff, 2);
			packet.writeUInt32BE((sent * 1500) >>> 0, 4);
			packet.writeUInt32BE(ssrc, 8);
			// VP8 payload descriptor (start of partition 0, a 7-bit picture id, which mediasoup's VP8 handling wants),
			// then a key frame header: tag, start code, 640x480.
			Buffer.from([0x90, 0x80, sent & 0x7f, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]).copy(packet, 12);
			STAMP_MARK.copy(packet, 12 + STAMP_AT);
			packet.writeDoubleBE(performance.timeOrigin + performance.now(), 12 + STAMP_AT + STAMP_MARK.length);
			socket.send(packet, port, LOCALHOST);
			sent += 1;
		}
	}, 5);
	return { sent: () => sent, stop: () => (clearInterval(timer), socket.close()) };
}

interface Setup {
	pools: WorkerPool[];
	pipe: { a: types.PipeTransport; b: types.PipeTransport } | undefined;
	close(): void;
}

/** Producer on router A; consumers on router A (one node) or on router B behind an SRTP pipe (spanning). */
async function build(poolA: WorkerPool, poolB: WorkerPool, spanning: boolean, consumers: number, sink: Awaited<ReturnType<typeof startSink>>): Promise<Setup & { producerPort: number; ssrc: number }> {
	const { router: a } = await poolA.createRouter(`bench-a-${spanning}`);
	const { router: b } = await poolB.createRouter(`bench-b-${spanning}`);
	const ssrc = 1000 + Math.floor(Math.random() * 1e6);
	const ingress = await a.createPlainTransport({ listenIp: LOCALHOST, rtcpMux: true, comedia: true });
	const producer = await ingress.produce({
		kind: 'video',
		rtpParameters: { codecs: [{ ...VP8, payloadType: 101 }], encodings: [{ ssrc }] },
	});
	let pipe: Setup['pipe'];
	let far = a;
	if (spanning) {
		// What Cascade does between two nodes.
		const pa = await a.createPipeTransport({ listenIp: LOCALHOST, enableSrtp: true, enableRtx: true });
		const pb = await b.createPipeTransport({ listenIp: LOCALHOST, enableSrtp: true, enableRtx: true });
		await pa.connect({ ip: LOCALHOST, port: pb.tuple.localPort, srtpParameters: pb.srtpParameters });
		await pb.connect({ ip: LOCALHOST, port: pa.tuple.localPort, srtpParameters: pa.srtpParameters });
		const out = await pa.consume({ producerId: producer.id });
		await pb.produce({ id: producer.id, kind: 'video', rtpParameters: out.rtpParameters });
		pipe = { a: pa, b: pb };
		far = b;
	}
	const transports: types.Transport[] = [ingress];
	for (let i = 0; i <= consumers; i++) {
		const latencyProbe = i === consumers;
		const t = await far.createPlainTransport({
			listenIp: LOCALHOST,
			rtcpMux: true,
			comedia: false,
			...(latencyProbe ? {} : { enableSrtp: true, srtpCryptoSuite: 'AEAD_AES_256_GCM' as const }),
		});
		await t.connect({
			ip: LOCALHOST,
			port: latencyProbe ? sink.plainPort : sink.port,
			...(latencyProbe ? {} : { srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM' as const, keyBase64: Buffer.alloc(44, 7).toString('base64') } }),
		});
		await t.consume({ producerId: producer.id, rtpCapabilities: RTP_CAPS });
		transports.push(t);
	}
	return {
		pools: [poolA, poolB],
		pipe,
		producerPort: ingress.tuple.localPort,
		ssrc,
		close: () => {
			for (const t of transports) t.close();
			pipe?.a.close();
			pipe?.b.close();
			a.close();
			b.close();
		},
	};
}

interface Measured {
	consumers: number;
	spanning: boolean;
	cpuA: number;
	cpuB: number;
	ingressPackets: number;
	forwarded: number;
	/** Bytes the pipe transport on node A sent per byte the producer received. */
	pipeBytesPerProducerByte: number | undefined;
	pipeKbps: number | undefined;
	producerKbps: number;
	delayP50: number;
	delayP95: number;
	pipeSuite: string | undefined;
}

async function measure(poolA: WorkerPool, poolB: WorkerPool, spanning: boolean, consumers: number): Promise<Measured> {
	const sink = await startSink();
	const setup = await build(poolA, poolB, spanning, consumers, sink);
	const gen = startGenerator(setup.producerPort, setup.ssrc);
	await sleep(WARMUP_MS);
	const bytesOf = async (t: types.Transport | undefined) => (t ? ((await t.getStats())[0]?.bytesSent ?? 0) : 0);
	const sink0 = sink.packets();
	const sent0 = gen.sent();
	const pipe0 = await bytesOf(setup.pipe?.a);
	sink.delays.length = 0;
	const t0 = performance.now();
	const [cpuA = 0, cpuB = 0] = await cpuOver([poolA, poolB], WINDOW_MS);
	const seconds = (performance.now() - t0) / 1000;
	const forwarded = sink.packets() - sink0;
	const ingressPackets = gen.sent() - sent0;
	const pipeBytes = (await bytesOf(setup.pipe?.a)) - pipe0;
	const producerBytes = ingressPackets * (12 + PACKET_BYTES);
	const delays = [...sink.delays].sort((x, y) => x - y);
	const pick = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? NaN;
	gen.stop();
	setup.close();
	sink.close();
	return {
		consumers,
		spanning,
		cpuA,
		cpuB,
		ingressPackets,
		forwarded,
		pipeBytesPerProducerByte: setup.pipe ? pipeBytes / producerBytes : undefined,
		pipeKbps: setup.pipe ? (pipeBytes * 8) / 1000 / seconds : undefined,
		producerKbps: (producerBytes * 8) / 1000 / seconds,
		delayP50: pick(0.5),
		delayP95: pick(0.95),
		pipeSuite: setup.pipe?.a.srtpParameters?.cryptoSuite,
	};
}

/** D: 100 三地 calls over three nodes, each participant sending camera + mic and receiving the other two. */
async function threeNodes(bin: string): Promise<{ perNode: { node: string; participants: number; consumers: number; pipedOut: number; remotePeers: number }[]; oneNode: number; seconds: number }> {
	const CALLS = quick ? 20 : 100;
	const names = ['SH-QP', 'JS-WJ', 'ZJ-JS'];
	const pools = await Promise.all(names.map((_, i) => startPool(bin, 31000 + i * 10 + Math.floor(Math.random() * 9) * 100)));
	const rooms = names.map(() => new Map<string, Room>());
	const directory = new Map<string, Set<string>>();
	const cascades: Cascade[] = names.map(
		(node, i) =>
			new Cascade({
				nodeId: node,
				listenIp: LOCALHOST,
				room: (id) => rooms[i]?.get(id),
				directory: {
					async enter(roomId) {
						const set = directory.get(roomId) ?? new Set<string>();
						set.add(node);
						directory.set(roomId, set);
						return [...set].filter((n) => n !== node);
					},
					async leave(roomId) {
						directory.get(roomId)?.delete(node);
					},
				},
				bus: { send: (to: string, m: CascadeMessage) => setImmediate(() => cascades[names.indexOf(to)]?.receive(structuredClone(m))) },
			}),
	);
	const audio = (ssrc: number): types.RtpParameters => ({ codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] });
	const video = (ssrc: number): types.RtpParameters => ({ codecs: [{ ...VP8, payloadType: 101 }], encodings: [{ ssrc }] });
	const caps: types.RtpCapabilities = { codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 }, { ...VP8, preferredPayloadType: 101 }] };
	const started = performance.now();
	const notify = () => undefined;
	let ssrc = 10_000;
	const joined: { room: Room; peer: Awaited<ReturnType<Room['join']>> }[] = [];
	for (let c = 0; c < CALLS; c++) {
		const roomId = `call-${c}`;
		for (const [i, pool] of pools.entries()) {
			const room = await Room.create(roomId, pool, { watchdogIntervalMs: 0 });
			rooms[i]?.set(roomId, room);
			cascades[i]?.attach(room);
			const result = await room.join({ roomId, participantId: `${names[i]}-${c}`, role: 'expert', displayName: 'x', sessionRef: roomId, exp: Date.now() + 3_600_000 }, notify);
			if (!result.ok) throw new Error(result.error.message);
			const peer = result.value.peer;
			const send = await room.createTransport(peer, { direction: 'send' });
			if (!send.ok) throw new Error(send.error.message);
			await room.produce(peer, { transportId: send.value.id, kind: 'audio', rtpParameters: audio(ssrc++) as never, appData: { source: 'mic' } });
			await room.produce(peer, { transportId: send.value.id, kind: 'video', rtpParameters: video(ssrc++) as never, appData: { source: 'camera' } });
			joined.push({ room, peer: result });
		}
	}
	// Let the links come up and every producer arrive, then everybody consumes everybody else.
	const expected = CALLS * 2 * 2; // per node: its participants' 2 producers to 2 far nodes
	for (let i = 0; i < 200 && cascades.some((c) => c.stats().pipedOut < expected); i++) await sleep(50);
	for (const { room, peer } of joined) {
		if (!peer.ok) continue;
		const me = peer.value.peer;
		const recv = await room.createTransport(me, { direction: 'recv' });
		if (!recv.ok) throw new Error(recv.error.message);
		for (const producerId of producersOf(room, me.id)) {
			const consumed = await room.consume(me, { transportId: recv.value.id, producerId, rtpCapabilities: caps as never });
			if (!consumed.ok) throw new Error(consumed.error.message);
		}
	}
	const seconds = (performance.now() - started) / 1000;
	const perNode = names.map((node, i) => {
		let consumers = 0;
		let participants = 0;
		let remotePeers = 0;
		for (const room of rooms[i]?.values() ?? []) {
			consumers += room.consumerCount;
			participants += room.peers.size;
			remotePeers += room.remotePeerIds.length;
		}
		return { node, participants, consumers, pipedOut: cascades[i]?.stats().pipedOut ?? 0, remotePeers };
	});
	for (const c of cascades) c.close();
	for (const m of rooms) for (const r of m.values()) r.close('bench');
	for (const p of pools) p.close();
	// One node holding the same calls: every participant consumes the other two's camera and mic.
	return { perNode, oneNode: CALLS * 3 * 2 * 2, seconds };
}

/** Producer ids a participant of `room` should consume: everybody else's, local or piped in. */
function producersOf(room: Room, self: string): string[] {
	const ids: string[] = [];
	for (const [id, peer] of room.peers) if (id !== self) for (const p of peer.producers.keys()) ids.push(p);
	for (const p of room.remoteProducerIds()) ids.push(p);
	return ids;
}

async function main(): Promise<void> {
	const bin = await resolveMediasoupWorker();
	const base = 32000 + Math.floor(Math.random() * 50) * 20;
	const poolA = await startPool(bin, base);
	const poolB = await startPool(bin, base + 10);
	const results: Measured[] = [];
	for (const n of FAR_CONSUMERS) {
		results.push(await measure(poolA, poolB, false, n));
		results.push(await measure(poolA, poolB, true, n));
	}
	poolA.close();
	poolB.close();
	const d = await threeNodes(bin);

	const us = (cpu: number, packets: number, seconds: number) => (packets > 0 ? ((cpu * seconds) / packets) * 1e6 : NaN);
	const s = WINDOW_MS / 1000;
	const rows = results.map((r) => {
		const perIn = (cpu: number) => us(cpu, r.ingressPackets, s);
		return `| ${r.spanning ? 'spanning (A → pipe → B)' : 'one node (A)'} | ${r.consumers} | ${perIn(r.cpuA).toFixed(1)} µs | ${r.spanning ? `${perIn(r.cpuB).toFixed(1)} µs` : '—'} | ${us(r.cpuA + r.cpuB, r.forwarded, s).toFixed(1)} µs | ${r.pipeKbps !== undefined ? `${r.pipeKbps.toFixed(0)} kbit/s (${r.pipeBytesPerProducerByte?.toFixed(3)}× the producer's)` : '—'} | ${r.delayP50.toFixed(2)} / ${r.delayP95.toFixed(2)} ms |`;
	});
	const one = (n: number) => results.find((r) => !r.spanning && r.consumers === n);
	const span = (n: number) => results.find((r) => r.spanning && r.consumers === n);
	const extra = FAR_CONSUMERS.map((n) => {
		const o = one(n);
		const sp = span(n);
		if (!o || !sp) return '';
		const perPacket = us(sp.cpuA + sp.cpuB - o.cpuA, sp.ingressPackets, s);
		return `- ${n} far consumer${n > 1 ? 's' : ''}: a spanning room costs **${perPacket.toFixed(1)} µs** more worker CPU per producer packet than the same room on one node (both nodes together: the pipe's send on A, its receive on B); added delay p50 ${(sp.delayP50 - o.delayP50).toFixed(2)} ms on loopback.`;
	});
	const dRows = d.perNode.map((n) => `| ${n.node} | ${n.participants} | ${n.consumers} | ${n.pipedOut} | ${n.consumers + n.pipedOut} |`);
	const body = [
		`Run ${new Date().toISOString().slice(0, 16)}Z with \`node --import tsx bench/sfu/span.ts${quick ? ' --quick' : ''}\` on ${os.cpus()[0]?.model.trim() ?? 'cpu'} × ${os.cpus().length} (shared with the generator, the sink and other engineers' work; 1-minute load average ${os.loadavg()[0]?.toFixed(1)}). Two "nodes" are two mediasoup workers of separate pools linked as sfu/src/Cascade.ts links nodes: one SRTP PipeTransport (${results.find((r) => r.pipeSuite)?.pipeSuite}, NACK/RTX on) over loopback. One 2 Mbit/s video producer (${PACKETS_PER_SEC} packets/s of ${PACKET_BYTES} B, plain RTP in); consumers are SRTP AEAD_AES_256_GCM PlainTransports to a UDP sink, plus one plain consumer the sink reads a send-time stamp from. CPU from getResourceUsage deltas over ${s} s.`,
		'',
		'| room | far consumers | CPU per producer packet on node A | on node B | CPU per forwarded packet, both nodes | link bandwidth per producer | send → sink delay p50 / p95 |',
		'|---|---:|---:|---:|---:|---:|---:|',
		...rows,
		'',
		...extra,
		'- Link bandwidth: one copy per producer whatever the number of far consumers (the 1- and 8-consumer rows carry the same bytes); the SRTP tag and the pipe\'s header extensions make it a few % more than the producer\'s own stream.',
		'- Glass-to-glass: the added delay is the pipe hop (one more worker, one more SRTP round) on top of the link itself: between provinces the inter-node RTT (≈ 15–30 ms) dominates; participants on their own region\'s node no longer pay the far node\'s RTT on their own last mile.',
		'',
		`Three nodes sharing ${d.perNode.reduce((n, x) => n + x.participants, 0)} participants (${d.perNode[0]?.participants ?? 0} 三地 calls, one participant per region, camera + mic each, everyone receiving the other two; built in ${d.seconds.toFixed(1)} s with the real Room and Cascade classes, no media flowing):`,
		'',
		'| node | participants | consumers (to browsers) | pipe consumers (to other nodes) | total |',
		'|---|---:|---:|---:|---:|',
		...dRows,
		`| one node holding them all | ${d.perNode.reduce((n, x) => n + x.participants, 0)} | ${d.oneNode} | 0 | ${d.oneNode} |`,
	].join('\n');
	console.info(body);
	if (write) writeSection('SFU spanning nodes', body);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
