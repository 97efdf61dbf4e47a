/**
 * A real server process (as in production: the compiled server, built by test/global-setup.ts), for tests
 * that kill, restart or drain nodes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { COMPILED_SERVER_ARGS } from '../../scripts/build-server.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcessOptions {
  /** After the script: `--demo`, as `npm start` passes it. */
  scriptArgs?: readonly string[];
  /**
   * Start the process as `npm start` does in a newcomer's shell: none of the test node's settings (no
   * demo seed off, media off, test admin password and secret), and none of the settings config.ts reads
   * that the test runner's own environment may carry (DATABASE_URL, REDIS_URL, NODE_ENV, YC_*), so the
   * process gets only `env` (and PORT) on top of the rest. Where tools live on this machine stays.
   */
  asNpmStart?: boolean;
}

/** What config.ts reads: dropped from the runner's environment for `asNpmStart`. */
const SETTING = /^(YC_.*|DATABASE_URL|REDIS_URL|NODE_ENV|PORT|HOST|LOG_LEVEL|TRUST_PROXY)$/;
/** Where this machine's tools are, not how the server behaves. */
const TOOL_LOCATION = new Set(['YC_FFMPEG_BIN', 'YC_FFPROBE_BIN', 'MEDIASOUP_WORKER_BIN']);

function npmStartEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !SETTING.test(k) || TOOL_LOCATION.has(k)));
}

/** `nodeArgs` go to node before the script (benches pass `--cpu-prof`, which NODE_OPTIONS refuses). */
export async function startServerProcess(env: Record<string, string>, fixedPort?: number, nodeArgs: readonly string[] = [], options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = fixedPort ?? (await freePort());
  const testNode = { HOST: '127.0.0.1', YC_DEMO_SEED: '0', YC_MEDIA: '0', LOG_LEVEL: 'info', YC_ADMIN_PASSWORD: 'proc-admin-pass', YC_SECRET: 'server-process-test-secret' };
  const child = spawn(process.execPath, [...nodeArgs, ...COMPILED_SERVER_ARGS, ...(options.scriptArgs ?? [])], {
    cwd: root,
    // PORT always: a port nobody else on this machine holds (npm start's default, 8080, may be taken).
    env: options.asNpmStart ? { ...npmStartEnvironment(), PORT: String(port), ...env } : { ...process.env, ...testNode, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function httpJson(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
