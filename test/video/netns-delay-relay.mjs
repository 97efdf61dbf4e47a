/* global process, setTimeout, setInterval */
// The inter-node link's delay where the kernel has no sch_netem (see netns.ts): runs in the router namespace
// and relays the media nodes' pipe traffic, holding every packet `delayMs` before passing it on.
//
// Node N announces its pipes at its relay address R_N (YC_MEDIA_PIPE_ANNOUNCED_IP) with the pipe's own port.
// A packet from node M's pipe (M_real:q) to R_N:p leaves through the socket bound to R_M:q towards N_real:p,
// so node N sees it come from exactly the tuple node M announced (pipe transports drop anything else).
//
// Only the pipe tuples actually announced are bound (a few per call, not every port of the range): the test
// reads each `offer` and `answer` of the cascade and writes `bind <relayIp> <port>` on stdin.
//
//   node netns-delay-relay.mjs <delayMs> <minPort> <maxPort> <realIp>=<relayIp> …
import dgram from 'node:dgram';
import readline from 'node:readline';

const [delayArg, minArg, maxArg, ...pairs] = process.argv.slice(2);
const delayMs = Number(delayArg);
const minPort = Number(minArg);
const maxPort = Number(maxArg);
/** real address → relay address, and back. */
const relayOf = new Map(pairs.map((p) => p.split('=')));
const realOf = new Map([...relayOf].map(([real, relay]) => [relay, real]));
/** `${relayIp}:${port}` → socket bound there. */
const sockets = new Map();

let relayed = 0;
// The test reads how many packets went through (the pipes really took the delayed path) and how many
// sockets the relay holds.
setInterval(() => process.stdout.write(`relayed ${relayed} sockets ${sockets.size}\n`), 1000).unref();

function bind(relayIp, port) {
	const key = `${relayIp}:${port}`;
	if (sockets.has(key) || !realOf.has(relayIp) || !(port >= minPort && port <= maxPort)) return;
	const socket = dgram.createSocket('udp4');
	sockets.set(key, socket);
	socket.on('message', (msg, from) => {
		const fromRelay = relayOf.get(from.address);
		const to = realOf.get(relayIp);
		const out = fromRelay === undefined ? undefined : sockets.get(`${fromRelay}:${from.port}`);
		if (!out || !to) return;
		relayed += 1;
		setTimeout(() => out.send(msg, port, to), delayMs);
	});
	socket.on('error', (error) => process.stderr.write(`relay ${key}: ${error.message}\n`));
	socket.bind(port, relayIp, () => process.stdout.write(`bound ${key}\n`));
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
	const [verb, ip, port] = line.trim().split(/\s+/);
	if (verb === 'bind' && ip && port) bind(ip, Number(port));
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write('relay ready\n');
