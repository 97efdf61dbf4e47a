/**
 * What the server benches share: a throw-away database, the raw-INSERT baseline every ratio is taken
 * against, the server started as its own process (as in production), JSON over HTTP, and CPU accounting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { buildServer, COMPILED_SERVER_ARGS } from '../../scripts/build-server.mjs';
import { runConcurrent, summarize } from './stats.ts';

export const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const root = path.resolve(import.meta.dirname, '..', '..');

/** Runs `fn` on a fresh database, dropped afterwards. */
export async function withDatabase<T>(prefix: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `yc_bench_${prefix}_${randomBytes(4).toString('hex')}`;
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

/** The baseline: `total` single-row INSERT transactions (BEGIN, INSERT, COMMIT) at `concurrency`. */
export async function rawInsertBaseline(url: string, total: number, concurrency: number) {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  await pool.query('CREATE TABLE bench_raw (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), site_id uuid NOT NULL, code text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  const site = '00000000-0000-4000-8000-000000000001';
  const r = await runConcurrent(total, concurrency, async (i) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO bench_raw (site_id, code) VALUES ($1, $2)', [site, `A${i}`]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  });
  await pool.end();
  return summarize(r.latencies, r.elapsedMs);
}

export interface BenchServer {
  base: string;
  child: ChildProcess;
  /** CPU seconds the server process has used so far. */
  cpuSeconds(): number;
}

let built: Promise<number> | undefined;

/**
 * What runs the server after `node`: the compiled server as production runs it (built once per bench run
 * from the current sources), or with BENCH_SERVER_TSX=1 the sources through tsx, to compare the two.
 */
export async function serverScriptArgs(): Promise<readonly string[]> {
  if (process.env.BENCH_SERVER_TSX === '1') return ['--import', 'tsx', 'server/src/server.ts'];
  await (built ??= buildServer());
  return COMPILED_SERVER_ARGS;
}

/**
 * Starts the server on the database with bench settings plus `env`.
 * BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to its node.
 */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const port = 18_000 + Math.floor(Math.random() * 2000);
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...(await serverScriptArgs())], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', YC_DEMO_SEED: '0', LOG_LEVEL: 'warn',
      YC_ADMIN_PASSWORD: 'bench-admin-pass', YC_SECRET: 'bench-secret-0123456789', YC_MEDIA: '0', REDIS_URL: '', YC_REDIS_PREFIX: `ycb-${randomBytes(3).toString('hex')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    child.stdout?.on('data', (b: Buffer) => b.toString().includes('is running') && resolve());
  });
  return { base: `http://127.0.0.1:${port}`, child, cpuSeconds: () => cpuSeconds(child.pid) };
}

/**
 * Keep-alive connections, as kiosks and counters behind a load balancer hold them. Rationale: node:http
 * costs the bench client about a third of the CPU of fetch per request, and the client shares the
 * machine with the server it measures.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** JSON over HTTP to `/api/v1`. */
export function http(base: string, method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = {};
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/v1${url}`, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Lets the process exit once the bench is done. */
export function closeHttp(): void {
  agent.destroy();
}

/** CPU seconds a process has used (Linux /proc; clock ticks at the usual 100 Hz), or NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by each Postgres backend serving database `url` (the server's pool), by pid. */
export async function postgresCpuByPid(url: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
  } finally {
    await client.end();
  }
}

/**
 * CPU seconds the backends used between two readings: backends alive at the end count from the start (or
 * from birth); one that exited meanwhile (an idle pool connection closing) was idle, and is left out.
 */
export function postgresCpuBetween(start: Map<number, number>, end: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of end) total += seconds - (start.get(pid) ?? 0);
  return total;
}

/**
 * The same single-row INSERT transactions (BEGIN, INSERT, COMMIT) driven by pgbench, Postgres's own C
 * client, at `concurrency` for `seconds`: what the server would reach with a client that costs nothing.
 * Null when pgbench is not installed. Runs after rawInsertBaseline (it uses its table).
 */
export async function pgbenchInsert(url: string, seconds: number, concurrency: number): Promise<{ tps: number; latencyMs: number } | null> {
  const { execFile } = await import('node:child_process');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const script = path.join(mkdtempSync(path.join(tmpdir(), 'yc-pgbench-')), 'insert.sql');
  writeFileSync(script, "BEGIN;\nINSERT INTO bench_raw (site_id, code) VALUES ('00000000-0000-4000-8000-000000000001', 'P');\nCOMMIT;\n");
  const out = await new Promise<string | null>((resolve) => {
    execFile('pgbench', ['-n', '-M', 'prepared', '-c', String(concurrency), '-j', '2', '-T', String(seconds), '-f', script, url], (err, stdout) => resolve(err ? null : stdout));
  });
  if (out === null) return null;
  const tps = /tps = ([\d.]+)/.exec(out);
  const lat = /latency average = ([\d.]+) ms/.exec(out);
  return tps ? { tps: Number(tps[1]), latencyMs: lat ? Number(lat[1]) : NaN } : null;
}
