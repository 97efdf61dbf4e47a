/**
 * bench/queue: the hall queue core under load, against real Postgres, all in one run.
 *   (1) raw baseline: single-row INSERT transactions at concurrency 32
 *   (2) ticket issue over HTTP at concurrency 32 — throughput, p50/p99, ratio to (1) (target ≥ 0.35)
 *   (3) call-next, 50 windows over 10,000 waiting tickets — p50/p99 (target p99 ≤ 25 ms)
 *   (4) ticket.called fan-out to 2,000 connected sockets — p99 delivery (target ≤ 250 ms)
 * The server runs as its own process (as in production) on a fresh database.
 *
 * Usage: node --import tsx bench/queue/run.ts   (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { fmt, machineLine, percentile, runConcurrent, summarize } from '../lib/stats.ts';
import { writeSection } from '../lib/results.ts';

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CONCURRENCY = 32;
const ISSUE_TOTAL = Number(process.env.BENCH_ISSUE_TOTAL ?? 4_000);
const WINDOWS = 50;
const WAITING = 10_000;
const CALLS_PER_WINDOW = 20;
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 2_000);
const FANOUT_CALLS = 20;
const root = path.resolve(import.meta.dirname, '..', '..');

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `yc_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function rawInsertBaseline(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  await pool.query('CREATE TABLE bench_raw (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), site_id uuid NOT NULL, number text NOT NULL, issued_at timestamptz NOT NULL DEFAULT now())');
  const site = '00000000-0000-4000-8000-000000000001';
  const r = await runConcurrent(ISSUE_TOTAL, CONCURRENCY, async (i) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO bench_raw (site_id, number) VALUES ($1, $2)', [site, `A${i}`]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  });
  await pool.end();
  return summarize(r.latencies, r.elapsedMs);
}

async function startServer(databaseUrl: string): Promise<{ base: string; child: ChildProcess }> {
  const port = 18_000 + Math.floor(Math.random() * 1000);
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/src/server.ts'], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', YC_DEMO_SEED: '0', LOG_LEVEL: 'warn',
      YC_ADMIN_PASSWORD: 'bench-admin-pass', YC_RATE_TICKETS_PER_MIN: '1000000', YC_RATE_LOGINS_PER_MIN: '100000', YC_MEDIA: '0', REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    child.stdout?.on('data', (b: Buffer) => b.toString().includes('is running') && resolve());
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

async function http(base: string, method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function main() {
  console.log(`bench/queue on ${machineLine()}`);
  const rows: string[][] = [];
  await withDatabase(async (url) => {
    const raw = await rawInsertBaseline(url);
    rows.push(['(1) raw single-row INSERT tx, c=32', `${fmt(raw.throughput, 0)}/s`, fmt(raw.p50, 2), fmt(raw.p99, 2), 'baseline']);
    console.log('raw baseline done');

    const { base, child } = await startServer(url);
    try {
      const admin = (await http(base, 'POST', '/auth/login', { username: 'admin', password: 'bench-admin-pass' })).body.token as string;
      const site = (await http(base, 'POST', '/admin/sites', { code: 'BENCH', name: '基准中心', level: 'district', region: 'SH-QP' }, admin)).body;
      const services: string[] = [];
      for (let i = 0; i < 5; i++) services.push((await http(base, 'POST', `/admin/sites/${site.id}/services`, { code: `S${i}`, name: `事项${i}`, category: 'ABCDE'[i], complexity: 'general' }, admin)).body.id);

      // (2) ticket issue over HTTP.
      const issue = await runConcurrent(ISSUE_TOTAL, CONCURRENCY, async (i) => {
        const r = await http(base, 'POST', `/sites/${site.id}/tickets`, { serviceId: services[i % services.length], channel: 'kiosk' });
        if (r.status !== 201) throw new Error(`issue failed: ${r.status} ${JSON.stringify(r.body)}`);
      });
      const s2 = summarize(issue.latencies, issue.elapsedMs);
      rows.push(['(2) ticket issue over HTTP, c=32', `${fmt(s2.throughput, 0)}/s`, fmt(s2.p50, 2), fmt(s2.p99, 2), `ratio ${fmt(s2.throughput / raw.throughput, 2)} (target ≥ 0.35)`]);
      console.log('issue done');

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
      const callLatencies: number[] = [];
      const t3 = performance.now();
      await Promise.all(windowIds.map(async (wid, w) => {
        for (let k = 0; k < CALLS_PER_WINDOW; k++) {
          const t0 = performance.now();
          const r = await http(base, 'POST', `/windows/${wid}/call-next`, undefined, tokens[w]);
          callLatencies.push(performance.now() - t0);
          if (r.status !== 200) throw new Error(`call-next ${r.status}`);
        }
      }));
      const s3 = summarize(callLatencies, performance.now() - t3);
      rows.push([`(3) call-next, ${WINDOWS} windows over ${WAITING} waiting`, `${fmt(s3.throughput, 0)}/s`, fmt(s3.p50, 2), fmt(s3.p99, 2), 'target p99 ≤ 25 ms']);
      console.log('call-next done');

      // (4) ticket.called fan-out to 2,000 sockets watching the site.
      const sockets: Socket[] = [];
      for (let i = 0; i < SOCKETS; i++) {
        const s = io(`${base}/hall`, { transports: ['websocket'], reconnection: false, forceNew: true });
        sockets.push(s);
        await new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('connect_error', reject); });
        await s.emitWithAck('site:watch', { siteId: site.id });
      }
      const deliveries: number[] = [];
      for (let k = 0; k < FANOUT_CALLS; k++) {
        let received = 0;
        const sentAt = performance.now();
        const allIn = new Promise<void>((resolve) => {
          for (const s of sockets) {
            s.once('ticket.called', () => {
              deliveries.push(performance.now() - sentAt);
              if (++received === sockets.length) resolve();
            });
          }
        });
        const r = await http(base, 'POST', `/windows/${windowIds[k % WINDOWS]}/call-next`, undefined, tokens[k % WINDOWS]);
        if (r.status !== 200) throw new Error(`call-next ${r.status}`);
        await allIn;
      }
      for (const s of sockets) s.disconnect();
      const sorted = deliveries.sort((a, b) => a - b);
      rows.push([`(4) ticket.called to ${SOCKETS} sockets (from call request)`, `${FANOUT_CALLS} calls`, fmt(percentile(sorted, 50), 1), fmt(percentile(sorted, 99), 1), 'target p99 ≤ 250 ms']);
      await pool.end();
    } finally {
      child.kill('SIGTERM');
    }
  });

  const table = ['| measure | throughput | p50 ms | p99 ms | note |', '|---|---:|---:|---:|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  console.log(`\n${table}\n`);
  writeSection('Queue', `Run ${new Date().toISOString()} on ${machineLine()}; Postgres ${ADMIN_URL.replace(/\/\/[^@]*@/, '//')}; server as a separate process, no Redis.\n\n${table}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
