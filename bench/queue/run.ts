/**
 * bench/queue: the hall queue core under load, against real Postgres, all in one run.
 *   (1) raw baseline: single-row INSERT transactions at concurrency 32
 *   (2) ticket issue over HTTP at concurrency 32 — throughput, p50/p99, ratio to (1) (target ≥ 0.35)
 *   (3) call-next, 50 windows over 10,000 waiting tickets — (3a) paced calls, p50/p99 (target p99 ≤ 25 ms);
 *       (3b) back-to-back calls from every window: capacity
 *   (4) ticket.called fan-out to 10,000 board sockets on one node, calls 1 s apart — p99 delivery (target
 *       ≤ 200 ms); (4a) the same calls back to back; (4b) the sockets split over two nodes sharing Redis (reported)
 * The server runs as its own process (as in production) on a fresh database.
 *
 * Usage: node --import tsx bench/queue/run.ts   (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
 *   BENCH_ISSUE_ONLY=1 stops after (2) and leaves RESULTS.md alone (for working on issue).
 *   BENCH_FANOUT_ONLY=1 runs only (4) and (4b) and leaves RESULTS.md alone (for working on fan-out).
 */
import os from 'node:os';
import pg from 'pg';
import { closeHttp, cpuSeconds, http, postgresCpuBetween, postgresCpuByPid, pgbenchInsert, rawInsertBaseline, startServer, withDatabase, ADMIN_URL } from '../lib/harness.ts';
import { fmt, machineLine, percentile, runConcurrent, summarize } from '../lib/stats.ts';
import { writeSection } from '../lib/results.ts';
import { startBoardSockets } from '../lib/fanout.ts';

const CONCURRENCY = 32;
const ISSUE_TOTAL = Number(process.env.BENCH_ISSUE_TOTAL ?? 4_000);
const WINDOWS = 50;
const WAITING = 10_000;
/** (3a): calls a second across the hall. Rationale: a real hall's 50 windows call about once every 10–15 min each (< 0.1/s); 25/s is 250× that. */
const PACED_CALLS_PER_SEC = 25;
const PACED_CALLS = 500;
const CALLS_PER_WINDOW = 20;
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
/** (4b) runs when Redis answers here (BENCH_REDIS_URL; empty skips it). */
const FANOUT_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every bench socket comes from 127.0.0.1, which the per-address socket bound would otherwise stop at 200. */
const SERVER_ENV = { YC_RATE_TICKETS_PER_MIN: '1000000', YC_RATE_LOGINS_PER_MIN: '100000', YC_SOCKET_CONNECTIONS_PER_IP: '100000' };
const FANOUT_CALLS = 20;
/**
 * (4): the pause between two calls. Rationale: a hall's calls are seconds apart (50 windows, one call each
 * every 10–15 min); back to back, a call also waits for the previous broadcast's 10,000 write completions,
 * which (4a) shows.
 */
const FANOUT_GAP_MS = Number(process.env.BENCH_FANOUT_GAP_MS ?? 1_000);
const ISSUE_ONLY = Boolean(process.env.BENCH_ISSUE_ONLY);
const FANOUT_ONLY = Boolean(process.env.BENCH_FANOUT_ONLY);

/** CPU milliseconds per operation of the bench client, the server and Postgres over `fn`. */
async function withCpu<T>(url: string, serverCpu: () => number, ops: () => number, fn: () => Promise<T>): Promise<{ result: T; cpu: string }> {
  const [c0, s0, p0] = [cpuSeconds(process.pid), serverCpu(), await postgresCpuByPid(url)];
  const result = await fn();
  const n = ops();
  const [c1, s1, p1] = [cpuSeconds(process.pid), serverCpu(), await postgresCpuByPid(url)];
  const per = (seconds: number) => fmt((seconds * 1000) / n, 2);
  return { result, cpu: `CPU ms/op: server ${per(s1 - s0)}, Postgres backends ${per(postgresCpuBetween(p0, p1))}, bench client ${per(c1 - c0)}` };
}

async function main() {
  console.log(`bench/queue on ${machineLine()}`);
  const rows: string[][] = [];
  const cpuNotes: string[] = [];
  await withDatabase('queue', async (url) => {
    const raw = await rawInsertBaseline(url, FANOUT_ONLY ? 100 : ISSUE_TOTAL, CONCURRENCY);
    rows.push(['(1) raw single-row INSERT tx, c=32', `${fmt(raw.throughput, 0)}/s`, fmt(raw.p50, 2), fmt(raw.p99, 2), 'baseline']);
    const pgb = FANOUT_ONLY ? null : await pgbenchInsert(url, 5, CONCURRENCY);
    rows.push(['(1b) the same INSERT tx by pgbench, c=32, 5 s', pgb ? `${fmt(pgb.tps, 0)}/s` : 'pgbench not installed', '', pgb ? `avg ${fmt(pgb.latencyMs, 2)}` : '', pgb ? `node-pg reaches ${fmt(raw.throughput / pgb.tps, 2)} of it` : '']);
    console.log('raw baseline done');

    const server = await startServer(url, SERVER_ENV);
    const { base, child } = server;
    try {
      const admin = (await http(base, 'POST', '/auth/login', { username: 'admin', password: 'bench-admin-pass' })).body.token as string;
      const site = (await http(base, 'POST', '/admin/sites', { code: 'BENCH', name: '基准中心', level: 'district', region: 'SH-QP' }, admin)).body;
      const services: string[] = [];
      for (let i = 0; i < 5; i++) services.push((await http(base, 'POST', `/admin/sites/${site.id}/services`, { code: `S${i}`, name: `事项${i}`, category: 'ABCDE'[i], complexity: 'general' }, admin)).body.id);

      // (2) ticket issue over HTTP.
      const issueTotal = FANOUT_ONLY ? 100 : ISSUE_TOTAL;
      const issueRun = await withCpu(url, server.cpuSeconds, () => issueTotal, () => runConcurrent(issueTotal, CONCURRENCY, async (i) => {
        const r = await http(base, 'POST', `/sites/${site.id}/tickets`, { serviceId: services[i % services.length], channel: 'kiosk' });
        if (r.status !== 201) throw new Error(`issue failed: ${r.status} ${JSON.stringify(r.body)}`);
        // The estimate is part of what an issue costs: a response without one would flatter the figure.
        if (typeof r.body.position !== 'number') throw new Error(`issue answered without a position: ${JSON.stringify(r.body)}`);
      }));
      const issue = issueRun.result;
      cpuNotes.push(`(2) ${issueRun.cpu}`);
      const s2 = summarize(issue.latencies, issue.elapsedMs);
      rows.push(['(2) ticket issue over HTTP, c=32', `${fmt(s2.throughput, 0)}/s`, fmt(s2.p50, 2), fmt(s2.p99, 2), `ratio ${fmt(s2.throughput / raw.throughput, 2)} (target ≥ 0.35)`]);
      console.log('issue done');
      if (ISSUE_ONLY) return;

      // (3) call-next: 50 windows over 10,000 waiting tickets.
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      await pool.query(`UPDATE tickets SET status = 'cancelled' WHERE site_id = $1`, [site.id]);
      await pool.query(`
        INSERT INTO tickets (site_id, service_id, day, number, status, priority, channel, issued_at, wait_anchor_at, due_at, access_token_hash)
        SELECT $1, ($2::uuid[])[1 + (g % 5)], CURRENT_DATE, 'W' || g, 'waiting', 'normal', 'kiosk', now() - interval '1 hour' + g * interval '1 second',
               now() - interval '1 hour' + g * interval '1 second', now() - interval '30 minutes' + g * interval '1 second', 'b' || g
        FROM generate_series(1, $3) g`, [site.id, services, WAITING]);
      await pool.query('ANALYZE tickets');
      const tokens: string[] = [];
      const windowIds: string[] = [];
      for (let w = 0; w < WINDOWS; w++) {
        const serving = w % 5 === 0 ? services : [services[w % 5], services[(w + 1) % 5]];
        windowIds.push((await http(base, 'POST', `/admin/sites/${site.id}/windows`, { number: w + 1, name: `窗口${w + 1}`, kind: 'physical', serviceIds: serving }, admin)).body.id);
        await http(base, 'POST', '/admin/staff', { username: `bench-clerk-${w}`, password: 'bench-clerk-pass', displayName: `c${w}`, role: 'clerk', siteIds: [site.id] }, admin);
      }
      for (let w = 0; w < WINDOWS; w++) {
        const tok = (await http(base, 'POST', '/auth/login', { username: `bench-clerk-${w}`, password: 'bench-clerk-pass' })).body.token as string;
        tokens.push(tok);
        await http(base, 'POST', `/windows/${windowIds[w]}/open`, undefined, tok);
      }
      const callNext = async (w: number) => {
        const t0 = performance.now();
        const r = await http(base, 'POST', `/windows/${windowIds[w]}/call-next`, undefined, tokens[w]);
        if (r.status !== 200 || !r.body) throw new Error(`call-next ${r.status}`);
        return performance.now() - t0;
      };

      if (!FANOUT_ONLY) {
        // (3a) Clerks calling at their own pace: calls arrive on a fixed schedule across the 50 windows
        // (open loop), each window one call at a time, as at a counter.
        const paced: number[] = [];
        const busy = new Map<number, Promise<void>>();
        const tPaced = performance.now();
        const pacedRun = await withCpu(url, server.cpuSeconds, () => PACED_CALLS, async () => {
          for (let k = 0; k < PACED_CALLS; k++) {
            const dueAt = tPaced + (k * 1000) / PACED_CALLS_PER_SEC;
            const wait = dueAt - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            const w = k % WINDOWS;
            const previous = busy.get(w) ?? Promise.resolve();
            busy.set(w, previous.then(async () => { paced.push(await callNext(w)); }));
          }
          await Promise.all(busy.values());
        });
        const s3a = summarize(paced, performance.now() - tPaced);
        rows.push([`(3a) call-next, ${WINDOWS} windows over ${WAITING} waiting, ${PACED_CALLS_PER_SEC} calls/s`, `${fmt(s3a.throughput, 0)}/s`, fmt(s3a.p50, 2), fmt(s3a.p99, 2), 'target p99 ≤ 25 ms']);
        cpuNotes.push(`(3a) ${pacedRun.cpu}`);

        // (3b) Saturation: every window calls again the moment its previous call answers (closed loop).
        const callLatencies: number[] = [];
        const t3 = performance.now();
        await Promise.all(windowIds.map(async (_wid, w) => {
          for (let k = 0; k < CALLS_PER_WINDOW; k++) callLatencies.push(await callNext(w));
        }));
        const s3 = summarize(callLatencies, performance.now() - t3);
        rows.push([`(3b) call-next, ${WINDOWS} windows calling back to back (saturation)`, `${fmt(s3.throughput, 0)}/s`, fmt(s3.p50, 2), fmt(s3.p99, 2), 'capacity; latency here is queueing']);
        console.log('call-next done');
      }

      // (4) ticket.called fan-out to the sockets of boards watching the site (light clients in processes of
      // their own), first on this node alone, then (4b) split over two nodes sharing Redis.
      const fanout = async (urls: string[], callOn: string, gapMs: number) => {
        const boards = await startBoardSockets(urls, SOCKETS, site.id);
        try {
          const sentAt: number[] = [];
          const answeredAt: number[] = [];
          for (let k = 0; k < FANOUT_CALLS; k++) {
            if (k > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
            const w = fanoutCall++ % WINDOWS;
            sentAt.push(performance.timeOrigin + performance.now());
            const r = await http(callOn, 'POST', `/windows/${windowIds[w]}/call-next`, undefined, tokens[w]);
            if (r.status !== 200) throw new Error(`call-next ${r.status}`);
            answeredAt.push(performance.timeOrigin + performance.now());
            await boards.delivered(k);
          }
          const all = await boards.deliveries(sentAt);
          if (process.env.BENCH_FANOUT_DETAIL) {
            // Socket-major order, one entry per call: entry i belongs to call i mod the number of calls.
            for (let k = 0; k < sentAt.length; k++) {
              const call = all.filter((_d, i) => i % sentAt.length === k).sort((a, b) => a - b);
              console.log(`call ${k}: answered ${fmt((answeredAt[k] ?? 0) - (sentAt[k] ?? 0), 1)} first ${fmt(call[0] ?? 0, 1)} p50 ${fmt(percentile(call, 50), 1)} last ${fmt(call.at(-1) ?? 0, 1)} ms`);
            }
          }
          return all.sort((a, b) => a - b);
        } finally {
          boards.close();
        }
      };
      let fanoutCall = 0;
      const one = await fanout([base], base, FANOUT_GAP_MS);
      rows.push([`(4) ticket.called to ${SOCKETS} sockets on one node (from call request), calls ${FANOUT_GAP_MS} ms apart`, `${FANOUT_CALLS} calls`, fmt(percentile(one, 50), 1), fmt(percentile(one, 99), 1), 'target p99 ≤ 200 ms']);
      const backToBack = await fanout([base], base, 0);
      rows.push([`(4a) the same, each call made as soon as every socket has the previous one`, `${FANOUT_CALLS} calls`, fmt(percentile(backToBack, 50), 1), fmt(percentile(backToBack, 99), 1), 'report']);
      console.log('fan-out on one node done');
      if (FANOUT_REDIS_URL) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        const twoEnv = { ...SERVER_ENV, REDIS_URL: FANOUT_REDIS_URL, YC_REDIS_PREFIX: `ycb-fanout-${Date.now()}` };
        const [a, b] = [await startServer(url, twoEnv), await startServer(url, twoEnv)];
        try {
          const two = await fanout([a.base, b.base], a.base, FANOUT_GAP_MS);
          rows.push([`(4b) as (4), the ${SOCKETS} sockets split over two nodes sharing Redis (called on one)`, `${FANOUT_CALLS} calls`, fmt(percentile(two, 50), 1), fmt(percentile(two, 99), 1), 'report']);
        } finally {
          a.child.kill('SIGTERM');
          b.child.kill('SIGTERM');
        }
      }
      await pool.end();
    } finally {
      child.kill('SIGTERM');
    }
  });

  const table = ['| measure | throughput | p50 ms | p99 ms | note |', '|---|---:|---:|---:|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const cpu = cpuNotes.map((n) => `- ${n}`).join('\n');
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`\n${table}\n\n${cpu}\n`);
  if (ISSUE_ONLY || FANOUT_ONLY) return;
  writeSection('Queue', [
    `\`npm run bench:queue\` — run ${new Date().toISOString()} on ${machineLine()}; load average ${load} after; Postgres ${ADMIN_URL.replace(/\/\/[^@]*@/, '//')}; server as a separate process, no Redis.`,
    table,
    `CPU per operation, from /proc (server process, the Postgres backends of its pool, this bench process):\n\n${cpu}`,
    '(3a) is what a clerk feels: calls arrive on a schedule (open loop) across 50 windows, 250× a real hall\'s rate. (3b) shows capacity: 50 windows calling back to back, where latency is mostly waiting in line (Little\'s law: 50 in flight ÷ throughput).',
  ].join('\n\n'));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(closeHttp);
