/**
 * bench/soak: a day's mixed load on two nodes behind one Redis and Postgres — issuing, calling, bookings and
 * connected sockets — for SOAK_MINUTES. The load is open loop at SOAK_RPS requests a second (default 100),
 * as a hall's arrivals are: per 10 requests, 2 tickets issued, 2 served (call, start, finish at one of 10
 * windows, each window one citizen at a time) and 1 booking (slots, then book). Tickets are served as fast as
 * they are issued, so the queue holds steady, as over a real day, instead of growing without end (the
 * closed-loop soak before issued ~8× faster than it called, so every figure grew with the backlog).
 * The sockets are SOAK_BOARDS boards watching the site and phones watching one ticket each.
 *
 * Prints per minute: requests, p99, errors other than the intended 409/429, waiting tickets, and each node's
 * RSS and heap; beside each minute's request p99, the event-loop delay p99 of each node (prom-client's
 * histogram, reset at each scrape) and of this client process; at the end, the slope of RSS and of p99 per
 * hour (least squares over the minutes after the first).
 *
 * Usage: node --import tsx bench/soak/run.ts   (SOAK_MINUTES default 60, SOAK_RPS default 100, SOAK_SOCKETS
 *   default 2000, SOAK_BOARDS default 20, BENCH_PG_URL, BENCH_REDIS_URL, BENCH_SERVER_NODE_ARGS e.g.
 *   "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile both nodes)
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type ChildProcess, fork } from 'node:child_process';
import { httpJson, startServerProcess, type ServerProcess } from '../../test/helpers/server-process.ts';
import { buildServer } from '../../scripts/build-server.mjs';
import { cpuSeconds } from '../lib/harness.ts';
import { fmt, machineLine, percentile } from '../lib/stats.ts';
import { writeSection } from '../lib/results.ts';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60);
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const SOCKETS = Number(process.env.SOAK_SOCKETS ?? 2_000);
/** Rationale: a large hall has a dozen or two boards and counter screens; the other sockets are phones. */
const BOARDS = Number(process.env.SOAK_BOARDS ?? 20);
const RPS = Number(process.env.SOAK_RPS ?? 100);
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WINDOWS = 10;

interface Minute { requests: number; latencies: number[]; errors: number; intended: number }

function residentId(): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const body = `310101${1950 + Math.floor(Math.random() * 50)}0${1 + Math.floor(Math.random() * 9)}1${Math.floor(Math.random() * 9)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  const sum = [...body].reduce((a, d, i) => a + Number(d) * (w[i] ?? 0), 0);
  return body + '10X98765432'[sum % 11];
}

/** A node's RSS and heap used (MiB), event-loop delay p99 (ms) since the last scrape, and waiting tickets. */
async function sample(node: ServerProcess): Promise<{ rss: number; heap: number; eld: number; waiting: number }> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = /^yc_process_process_resident_memory_bytes (\d+)/m.exec(text);
  const h = /^yc_process_nodejs_heap_size_used_bytes (\d+)/m.exec(text);
  const e = /^yc_process_nodejs_eventloop_lag_p99_seconds ([\d.e+-]+)/m.exec(text);
  const w = /^yc_tickets_waiting\{site="SOAK"\} (\d+)/m.exec(text);
  return { rss: m ? Number(m[1]) / 2 ** 20 : NaN, heap: h ? Number(h[1]) / 2 ** 20 : NaN, eld: e ? Number(e[1]) * 1000 : NaN, waiting: w ? Number(w[1]) : NaN };
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

async function main() {
  console.log(`bench/soak: ${MINUTES} min, ${RPS} requests/s, ${SOCKETS} sockets (${BOARDS} boards), on ${machineLine()}`);
  const dbName = `yc_soak_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const env = { DATABASE_URL: dbUrl.toString(), REDIS_URL, YC_REDIS_PREFIX: `soak-${dbName}`, LOG_LEVEL: 'warn', YC_RATE_TICKETS_PER_MIN: '1000000', YC_RATE_LOGINS_PER_MIN: '100000', YC_RATE_BOOKINGS_PER_MIN: '1000000', YC_RATE_BOOKINGS_PER_DAY_PER_PERSON: '1000000', YC_SOCKET_CONNECTIONS_PER_IP: '100000' };
  // The nodes run the compiled server, as production does (startServerProcess), built from these sources.
  await buildServer();
  const a = await startServerProcess(env, undefined, SERVER_NODE_ARGS);
  const b = await startServerProcess(env, undefined, SERVER_NODE_ARGS);
  const nodes = [a, b];
  let sockets: ChildProcess | null = null;
  try {
    const auth = { authorization: `Bearer ${(await httpJson(a.url, 'POST', '/auth/login', { username: 'admin', password: 'proc-admin-pass' })).body.token}` };
    const site = (await httpJson(a.url, 'POST', '/admin/sites', { code: 'SOAK', name: '浸泡测试中心', level: 'district', region: 'SH-QP' }, auth)).body;
    const svc = (await httpJson(a.url, 'POST', `/admin/sites/${site.id}/services`, { code: 'S', name: '居住证办理', category: 'A', complexity: 'general' }, auth)).body;
    const booked = (await httpJson(a.url, 'POST', `/admin/sites/${site.id}/services`, { code: 'B', name: '不动产登记', category: 'B', complexity: 'complex' }, auth)).body;
    const windows: { id: string; token: string; node: ServerProcess }[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const win = (await httpJson(a.url, 'POST', `/admin/sites/${site.id}/windows`, { number: w + 1, name: `窗口${w + 1}`, kind: 'physical', serviceIds: [svc.id, booked.id] }, auth)).body;
      await httpJson(a.url, 'POST', '/admin/staff', { username: `soak-${w}`, password: 'soak-clerk-pass', displayName: `c${w}`, role: 'clerk', siteIds: [site.id] }, auth);
      const node = nodes[w % 2] as ServerProcess;
      const token = (await httpJson(node.url, 'POST', '/auth/login', { username: `soak-${w}`, password: 'soak-clerk-pass' })).body.token as string;
      await httpJson(node.url, 'POST', `/windows/${win.id}/open`, undefined, { authorization: `Bearer ${token}` });
      windows.push({ id: win.id, token, node });
    }
    sockets = fork(path.join(import.meta.dirname, 'sockets-worker.ts'), [JSON.stringify({ urls: nodes.map((n) => n.url), count: SOCKETS, boards: BOARDS, siteId: site.id })], { execArgv: ['--import', 'tsx'] });
    const socketWorker = sockets;
    const socketStats = () => new Promise<{ connected: number; events: number; byName: Record<string, number> }>((resolve) => {
      socketWorker.once('message', resolve);
      socketWorker.send('count');
    });

    // The load starts once the sockets are in (at most a minute): connecting 2,000 is not the steady state.
    for (let waited = 0; (await socketStats()).connected < SOCKETS && waited < 60; waited++) await new Promise((r) => setTimeout(r, 1000));
    console.log(`sockets connected: ${(await socketStats()).connected} of ${SOCKETS}`);
    const minutes: Minute[] = [];
    const rssByMinute: number[][] = [];
    const heapByMinute: number[][] = [];
    const waitingByMinute: number[] = [];
    /** The machine's 1-minute load average: the soak shares its 2 cores with whatever else runs. */
    const loadByMinute: number[] = [];
    const eldByMinute: number[][] = [];
    const clientEld: number[] = [];
    /** Per minute: both nodes' CPU seconds, and the frames the sockets received (the fan-out's work). */
    const cpuByMinute: number[] = [];
    const framesByMinute: number[] = [];
    let lastCpu = nodes.reduce((t, n) => t + cpuSeconds(n.child.pid), 0);
    let lastFrames = 0;
    const clientDelay = monitorEventLoopDelay({ resolution: 10 });
    clientDelay.enable();
    // Scrape once so each node's delay histogram starts with the measured load.
    await Promise.all(nodes.map(sample));
    const start = Date.now();
    const minuteOf = () => Math.floor((Date.now() - start) / 60_000);
    const record = (t0: number, status: number) => {
      const m = minuteOf();
      if (m >= MINUTES) return;
      const bucket = (minutes[m] ??= { requests: 0, latencies: [], errors: 0, intended: 0 });
      bucket.requests++;
      bucket.latencies.push(performance.now() - t0);
      if (status === 409 || status === 429) bucket.intended++;
      else if (status >= 400 || status === 0) bucket.errors++;
    };
    const timed = async (node: ServerProcess, method: string, url: string, body?: unknown, headers?: Record<string, string>) => {
      const t0 = performance.now();
      const r = await httpJson(node.url, method, url, body, headers).catch(() => ({ status: 0, body: null }));
      record(t0, r.status);
      return r;
    };
    const until = start + MINUTES * 60_000;
    /** Runs `fn` at `perSecond` on a fixed schedule (open loop): a slow answer does not slow the arrivals. */
    const every = async (perSecond: number, fn: (k: number) => Promise<void>) => {
      const inFlight: Promise<void>[] = [];
      for (let k = 0; ; k++) {
        const at = start + (k * 1000) / perSecond;
        if (at >= until) break;
        if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
        inFlight.push(fn(k));
        if (inFlight.length > 1000) await Promise.all(inFlight.splice(0, 500));
      }
      await Promise.all(inFlight);
    };
    const issues = every(RPS / 5, async (k) => {
      const r = await timed(nodes[k % 2] as ServerProcess, 'POST', `/sites/${site.id}/tickets`, { serviceId: svc.id, channel: 'kiosk' });
      if (r.status === 201) sockets?.send({ watch: { ticketId: r.body.id, accessToken: r.body.accessToken } });
    });
    // Each window serves one citizen at a time: a serve waits for that window's previous one.
    const windowBusy = windows.map(() => Promise.resolve());
    const serves = every(RPS / 5, async (k) => {
      const i = k % windows.length;
      const w = windows[i] as (typeof windows)[number];
      const serve = (windowBusy[i] as Promise<void>).then(async () => {
        const auth = { authorization: `Bearer ${w.token}` };
        const r = await timed(w.node, 'POST', `/windows/${w.id}/call-next`, undefined, auth);
        if (r.status !== 200) return;
        await timed(w.node, 'POST', `/tickets/${r.body.id}/start`, undefined, auth);
        await timed(w.node, 'POST', `/tickets/${r.body.id}/finish`, {}, auth);
      });
      windowBusy[i] = serve;
      await serve;
    });
    const bookings = every(RPS / 10, async (k) => {
      const node = nodes[k % 2] as ServerProcess;
      const day = new Date(Date.now() + (1 + Math.floor(Math.random() * 5)) * 86_400_000).toISOString().slice(0, 10);
      const slots = await timed(node, 'GET', `/sites/${site.id}/services/${booked.id}/slots?date=${day}`);
      const slot = Array.isArray(slots.body) ? slots.body.find((s: { remaining: number }) => s.remaining > 0) : undefined;
      if (!slot) return;
      await timed(node, 'POST', '/appointments', { siteId: site.id, serviceId: booked.id, start: slot.start, citizen: { name: '王芳', idNumber: residentId(), phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` } });
    });
    const sampler = (async () => {
      for (let m = 0; m < MINUTES; m++) {
        await new Promise((r) => setTimeout(r, Math.max(0, start + (m + 1) * 60_000 - Date.now())));
        const samples = await Promise.all(nodes.map(sample));
        const socketsNow = await socketStats();
        const cpuNow = nodes.reduce((t, n) => t + cpuSeconds(n.child.pid), 0);
        cpuByMinute.push(cpuNow - lastCpu);
        framesByMinute.push(socketsNow.events - lastFrames);
        lastCpu = cpuNow;
        lastFrames = socketsNow.events;
        rssByMinute.push(samples.map((x) => x.rss));
        heapByMinute.push(samples.map((x) => x.heap));
        waitingByMinute.push(samples[0]?.waiting ?? NaN);
        loadByMinute.push(os.loadavg()[0] ?? NaN);
        eldByMinute.push(samples.map((x) => x.eld));
        clientEld.push(clientDelay.percentile(99) / 1e6);
        clientDelay.reset();
        const cur = minutes[m];
        if (cur) {
          console.log(`minute ${m + 1}: ${cur.requests} requests, p99 ${fmt(percentile([...cur.latencies].sort((x, y) => x - y), 99))} ms, event-loop p99 ${eldByMinute[m]?.map((r) => fmt(r, 0)).join(' / ')} ms (client ${fmt(clientEld[m] ?? NaN, 0)}), errors ${cur.errors}, 409/429 ${cur.intended}, sockets ${socketsNow.connected}, ${framesByMinute[m]} frames received, waiting ${waitingByMinute[m]}, nodes' CPU ${fmt(cpuByMinute[m] ?? NaN, 1)} s, RSS ${rssByMinute[m]?.map((r) => fmt(r, 0)).join(' / ')} MiB (heap ${heapByMinute[m]?.map((r) => fmt(r, 0)).join(' / ')}), load ${os.loadavg()[0]?.toFixed(1)}`);
        }
      }
    })();
    await Promise.all([issues, serves, bookings, sampler]);

    const p99 = minutes.map((m) => percentile([...m.latencies].sort((x, y) => x - y), 99));
    const framesByName = Object.entries((await socketStats()).byName).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    const rows = minutes.map((m, i) => `| ${i + 1} | ${m.requests} | ${fmt(m.requests / 60, 0)} | ${fmt(p99[i] ?? NaN)} | ${eldByMinute[i]?.map((r) => fmt(r, 0)).join(' / ') ?? ''} | ${fmt(clientEld[i] ?? NaN, 0)} | ${m.errors} | ${m.intended} | ${waitingByMinute[i] ?? ''} | ${framesByMinute[i] ?? ''} | ${fmt(cpuByMinute[i] ?? NaN, 1)} | ${rssByMinute[i]?.map((r) => fmt(r, 0)).join(' / ') ?? ''} | ${heapByMinute[i]?.map((r) => fmt(r, 0)).join(' / ') ?? ''} | ${fmt(loadByMinute[i] ?? NaN, 1)} |`);
    // Per hour, over the minutes after the first (warm-up: JIT, sockets' buffers, caches).
    const perHour = (ys: number[]) => fmt(slope(ys.map((y, i) => [i / 60, y] as [number, number]).slice(1)), 1);
    const firstP99 = p99[0] ?? NaN;
    const worst = Math.max(...p99);
    const errors = minutes.reduce((s, m) => s + m.errors, 0);
    const rssFirst = rssByMinute[0] ?? [];
    const rssLast = rssByMinute[rssByMinute.length - 1] ?? [];
    const verdict = [
      `p99 worst/first minute: ${fmt(worst / firstP99, 2)} (target ≤ 2)`,
      `errors other than 409/429: ${errors} (target 0)`,
      `RSS first → last minute: ${rssFirst.map((r, i) => `${fmt(r, 0)} → ${fmt(rssLast[i] ?? NaN, 0)}`).join(', ')} MiB`,
      `RSS slope after the first minute: ${nodes.map((_, k) => perHour(rssByMinute.map((r) => r[k] ?? NaN))).join(' / ')} MiB per hour (node A / B; target ≤ 250 MiB and flat); heap used: ${nodes.map((_, k) => perHour(heapByMinute.map((r) => r[k] ?? NaN))).join(' / ')} MiB per hour`,
      `waiting tickets, first → last minute: ${waitingByMinute[0]} → ${waitingByMinute[waitingByMinute.length - 1]}`,
      `p99 slope after the first minute: ${perHour(p99)} ms per hour; worst minute p99 ${fmt(worst)} ms (target ≤ 150)`,
      `both nodes' CPU per request and frame: ${fmt((1000 * cpuByMinute.reduce((a, b) => a + b, 0)) / minutes.reduce((a, m) => a + m.requests, 0), 2)} ms per request, or ${fmt((1e6 * cpuByMinute.reduce((a, b) => a + b, 0)) / Math.max(1, framesByMinute.reduce((a, b) => a + b, 0)), 1)} µs per frame delivered`,
      `frames to sockets by event: ${framesByName}`,
      `load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    ];
    const table = ['| minute | requests | req/s | p99 ms | event-loop p99 ms A / B | client event-loop p99 ms | errors | 409/429 | waiting | frames to sockets | CPU s, both nodes | RSS node A / B MiB | heap used A / B MiB | load |', '|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|', ...rows].join('\n');
    console.log(`\n${table}\n\n${verdict.join('\n')}`);
    writeSection('Soak', `Run ${new Date().toISOString()}: ${MINUTES} min, two nodes + Redis + Postgres, open loop at ${RPS} requests/s (tickets issued and served at ${RPS / 5}/s each at ${WINDOWS} windows, bookings at ${RPS / 10}/s), ${SOCKETS} sockets in a process of their own (${BOARDS} boards watching the site, the rest phones watching one ticket each); ${machineLine()}.\n\n${table}\n\n${verdict.map((v) => `- ${v}`).join('\n')}`);
  } finally {
    if (sockets) {
      const w = sockets;
      await new Promise((resolve) => {
        w.once('message', resolve);
        w.send('close');
      });
    }
    await Promise.all(nodes.map((n) => n.stop()));
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
