/**
 * The fan-out benches' board sockets: `count` light sockets (board-sockets.ts) spread over `processes`
 * forked processes and over the given server URLs, all watching one site. The bench stamps each call it
 * makes; `delivered(k)` resolves once every socket has its `ticket.called` for call k, and `deliveries`
 * gives each frame's delay from its call's stamp.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

/** Rationale: longer than any gap between two events of a backlog being published. */
const QUIET_MS = 3_000;

export interface BoardSockets {
  /** Resolves once every socket has received the `ticket.called` of call number `k` (0-based). */
  delivered(k: number): Promise<void>;
  /** Delay (ms) of every frame from the stamp of its call, `sentAt[k]` being call k's wall-clock ms. */
  deliveries(sentAt: number[]): Promise<number[]>;
  close(): void;
}

export async function startBoardSockets(urls: string[], count: number, siteId: string, processes = Number(process.env.BENCH_SOCKET_PROCESSES ?? 2)): Promise<BoardSockets> {
  const children: ChildProcess[] = [];
  const doneByCall = new Map<number, number>();
  const waiters = new Map<number, () => void>();
  for (let p = 0; p < processes; p++) {
    const child = fork(path.join(import.meta.dirname, 'board-sockets.ts'), [], { execArgv: ['--import', 'tsx'] });
    child.on('message', (m: { call?: number; done?: boolean }) => {
      if (m.call === undefined) return;
      const n = (doneByCall.get(m.call) ?? 0) + 1;
      doneByCall.set(m.call, n);
      if (n === processes) waiters.get(m.call)?.();
    });
    children.push(child);
  }
  const ask = <T>(child: ChildProcess, message: object, key: string) => new Promise<T>((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', on);
      resolve(m[key] as T);
    };
    child.on('message', on);
    child.send(message);
  });
  await Promise.all(children.map((child, p) => {
    const share = Math.floor(count / processes) + (p < count % processes ? 1 : 0);
    return ask<number>(child, { connect: { url: urls[p % urls.length], count: share, siteId } }, 'connected');
  }));
  // Calls made before the bench's own (a saturation run just before) may still be going out: the server
  // publishes a site's events in order, after their commits. Start once no call has arrived for QUIET_MS.
  const connectedAt = performance.now();
  for (;;) {
    const last = Math.max(...(await Promise.all(children.map((child) => ask<number>(child, { lastFrame: true }, 'lastFrameAt')))));
    if (performance.timeOrigin + performance.now() - last >= QUIET_MS) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const drained = (performance.now() - connectedAt - QUIET_MS) / 1000;
  if (drained > 0) console.log(`fan-out: earlier calls' events were still going out ${drained.toFixed(1)} s after the sockets connected`);
  await Promise.all(children.map((child) => ask<boolean>(child, { reset: true }, 'reset')));
  return {
    delivered: (k) => new Promise<void>((resolve) => {
      if ((doneByCall.get(k) ?? 0) === processes) return resolve();
      waiters.set(k, resolve);
    }),
    async deliveries(sentAt) {
      const perSocket = (await Promise.all(children.map((child) => ask<number[][]>(child, { report: true }, 'times')))).flat();
      // Each call must reach each socket once: a lost or doubled frame would make the figures lie.
      const wrong = perSocket.filter((t) => t.length !== sentAt.length);
      if (wrong.length) throw new Error(`${wrong.length} of ${perSocket.length} sockets got ${[...new Set(wrong.map((t) => t.length))].join('/')} ticket.called frames for ${sentAt.length} calls`);
      return perSocket.flatMap((times) => times.map((t, k) => t - (sentAt[k] as number)));
    },
    close: () => { for (const c of children) c.send({ close: true }); },
  };
}
