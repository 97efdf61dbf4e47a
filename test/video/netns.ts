/**
 * Hosts for the media-span namespace test, made of Linux network namespaces (needs root and iproute2):
 *
 *        ycspan-sh (10.213.1.2)     ycspan-wj (10.213.2.2)     ycspan-zj (10.213.3.2)
 *              wan0 │                       wan0 │                       wan0 │   netem: delay + loss on egress
 *                r1 └──────────── ycspan-wan (router: 10.213.{1,2,3}.1) ──────┘ r3
 *
 * Each region host reaches the others only through its `wan0`, so the bytes counted there are what crosses
 * between provinces. Nothing is added to the root namespace: Postgres and Redis are reached from inside over
 * Unix sockets (`unixForwarder`, the test's own redis-server), and the API node stays on loopback.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
// Per run, so two runs on one machine keep apart; a dead run's namespaces are removed by the next one.
export const NS_PREFIX = `ycspan${process.pid}-`;
export const REGIONS = ['sh', 'wj', 'zj'] as const;
export type RegionHost = (typeof REGIONS)[number];
const WAN = `${NS_PREFIX}wan`;

export const nsOf = (host: RegionHost): string => `${NS_PREFIX}${host}`;
export const ipOf = (host: RegionHost): string => `10.213.${REGIONS.indexOf(host) + 1}.2`;

async function sh(args: string[]): Promise<string> {
  const [cmd, ...rest] = args;
  if (!cmd) throw new Error('empty command');
  const { stdout } = await run(cmd, rest);
  return stdout;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Deletes this run's namespaces, and those a crashed earlier run (its process gone) left behind. */
export async function removeNamespaces(): Promise<void> {
  const listed = await sh(['ip', 'netns', 'list']).catch(() => '');
  for (const line of listed.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const owner = /^ycspan(\d+)-/.exec(name)?.[1];
    if (owner === undefined) continue;
    if (name.startsWith(NS_PREFIX) || !alive(Number(owner))) await sh(['ip', 'netns', 'del', name]).catch(() => undefined);
  }
}

/**
 * How the link's impairments were made: `netem` (delay and loss on every host's egress), or, on a kernel built
 * without sch_netem (CONFIG_NET_SCH_NETEM unset, as on this project's 2-core CI VM), nftables random drops for
 * the loss and, for the delay, a relay in the router namespace that holds the media nodes' pipe packets
 * (`startDelayRelay`; the nodes announce their pipes at `relayIpOf(host)`).
 */
export type LinkEmulation = 'netem' | 'nftables-loss+relay-delay';

/**
 * What tc says when the kernel has no netem qdisc, across iproute2 and kernel versions: "Specified qdisc kind
 * is unknown." (netlink extack), "RTNETLINK answers: No such file or directory" (older tc, module missing),
 * "Unknown qdisc \"netem\"" or "... not found" (tc without its netem helper). Anything else is a real failure.
 */
export function netemMissing(tcError: string): boolean {
  return /qdisc kind is unknown|No such file or directory|Unknown qdisc|not found/i.test(tcError);
}

/** Where `host`'s media node announces its pipes when the relay makes the delay (an address of the router namespace). */
export const relayIpOf = (host: RegionHost): string => `10.213.${REGIONS.indexOf(host) + 101}.1`;

/** Builds the hosts and the links between them, with `delayMs` and `lossPct` on every host's egress. */
export async function createHosts(link: { delayMs: number; lossPct: number }): Promise<LinkEmulation> {
  let emulation: LinkEmulation = 'netem';
  if (process.getuid?.() !== 0) throw new Error('the namespace test needs root (ip netns)');
  await removeNamespaces();
  await sh(['ip', 'netns', 'add', WAN]);
  await sh(['ip', 'netns', 'exec', WAN, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  await sh(['ip', '-n', WAN, 'link', 'set', 'lo', 'up']);
  for (const [i, host] of REGIONS.entries()) {
    const ns = nsOf(host);
    const n = i + 1;
    await sh(['ip', 'netns', 'add', ns]);
    await sh(['ip', '-n', WAN, 'link', 'add', `r${n}`, 'type', 'veth', 'peer', 'name', 'wan0', 'netns', ns]);
    await sh(['ip', '-n', WAN, 'addr', 'add', `10.213.${n}.1/24`, 'dev', `r${n}`]);
    await sh(['ip', '-n', WAN, 'link', 'set', `r${n}`, 'up']);
    await sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    await sh(['ip', '-n', ns, 'addr', 'add', `${ipOf(host)}/24`, 'dev', 'wan0']);
    await sh(['ip', '-n', ns, 'link', 'set', 'wan0', 'up']);
    await sh(['ip', '-n', ns, 'route', 'add', 'default', 'via', `10.213.${n}.1`]);
    if (emulation === 'netem') {
      try {
        await sh(['ip', 'netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'wan0', 'root', 'netem', 'delay', `${link.delayMs}ms`, 'loss', `${link.lossPct}%`]);
        continue;
      } catch (error) {
        const said = String((error as { stderr?: string }).stderr || error).trim();
        if (!netemMissing(said) || i > 0) throw error;
        console.info(`[netns] tc netem unavailable (tc: ${said}): loss by nftables, delay by the pipe relay`);
        emulation = 'nftables-loss+relay-delay';
      }
    }
    // Rationale: numgen draws 0..999 per packet, so `< 10·lossPct` drops lossPct % of what leaves the host.
    const perMille = Math.round(link.lossPct * 10);
    await sh(['ip', 'netns', 'exec', ns, 'nft', `add table inet yclink; add chain inet yclink out { type filter hook postrouting priority 0; }; add rule inet yclink out oifname "wan0" numgen random mod 1000 < ${perMille} drop`]);
    await sh(['ip', '-n', WAN, 'addr', 'add', `${relayIpOf(host)}/32`, 'dev', 'lo']);
  }
  return emulation;
}

export interface DelayRelay {
  child: ChildProcess;
  /** Packets relayed so far (as of the relay's last report, once a second). */
  relayed(): number;
  /** UDP sockets the relay holds: one per pipe tuple announced. */
  sockets(): number;
  /** Relays the pipe tuple `relayIp`:`port` (one a media node announced in an offer or answer). */
  bind(relayIp: string, port: number): void;
}

/**
 * Starts the delay relay (netns-delay-relay.mjs) in the router namespace for pipe ports within `minPort`…
 * `maxPort` (the media nodes' YC_RTC_BASE_PORT + 1000 … + 1999). It binds only the tuples it is told of
 * (`bind`, from the cascade's offers and answers), not the whole range: a few sockets, not thousands.
 */
export async function startDelayRelay(delayMs: number, minPort: number, maxPort: number): Promise<DelayRelay> {
  const pairs = REGIONS.map((h) => `${ipOf(h)}=${relayIpOf(h)}`);
  let relayed = 0;
  let sockets = 0;
  const child = spawn('ip', ['netns', 'exec', WAN, process.execPath, path.join(import.meta.dirname, 'netns-delay-relay.mjs'), String(delayMs), String(minPort), String(maxPort), ...pairs], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('delay relay did not start')), 30_000);
    child.stdout?.on('data', (b: Buffer) => {
      const text = b.toString();
      for (const m of text.matchAll(/relayed (\d+) sockets (\d+)/g)) {
        relayed = Number(m[1]);
        sockets = Number(m[2]);
      }
      if (text.includes('relay ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`delay relay exited (${code})`));
    });
  });
  return {
    child,
    relayed: () => relayed,
    sockets: () => sockets,
    bind: (relayIp, port) => void child.stdin?.write(`bind ${relayIp} ${port}\n`),
  };
}

/** Bytes through `host`'s wan0 so far (the inter-node link of that host). */
export async function wanBytes(host: RegionHost): Promise<{ rx: number; tx: number }> {
  const read = async (what: string) => Number((await sh(['ip', 'netns', 'exec', nsOf(host), 'cat', `/sys/class/net/wan0/statistics/${what}`])).trim());
  return { rx: await read('rx_bytes'), tx: await read('tx_bytes') };
}

/** A scratch directory for sockets and wrappers. */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ycspan-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A shell wrapper that runs `binary` inside `ns` (for launchers that take an executable path). */
export function wrapperIn(dir: string, ns: string, binary: string): string {
  const file = path.join(dir, `${ns}-${path.basename(binary)}.sh`);
  writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${ns} ${binary} "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

/**
 * A Unix socket at `socketPath` piping every connection to `host:port` on loopback: Unix sockets live in the
 * file system, not in a network namespace, so processes inside the hosts reach the root namespace's
 * Postgres through it without any address leaving loopback.
 */
export async function unixForwarder(socketPath: string, port: number, host = '127.0.0.1'): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
