/**
 * The only reader of process.env. Parsed once at boot; a bad value fails the boot with a clear message.
 * Every variable is documented in the README with its default.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly production: boolean;
  /**
   * The demo (`npm start`, i.e. `server.ts --demo`, or YC_DEMO=1): the published secret, the default admin
   * password and the demo accounts are allowed. Outside it they are refused at boot or at sign-in.
   */
  readonly demo: boolean;
  readonly logLevel: string;
  /** Postgres connection string; absent → embedded PGlite under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** How long the database may keep a request (ms, 0 = no bound): see db/client.ts DatabaseLimits. */
  readonly databaseLimits: { readonly waitMs: number; readonly statementMs: number; readonly lockMs: number; readonly transactionMs: number };
  /** Redis connection string; absent → in-process events and jobs. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key, stream and queue: lets several deployments (or test runs) share a Redis. */
  readonly redisPrefix: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  /**
   * Which proxies may set the client address (X-Forwarded-For): false = none, a number = that many hops
   * nearest this server, a list = those addresses / CIDRs. Never "all": a client writes its own first entry.
   */
  readonly trustProxy: TrustProxy;
  /** Bearer token `GET /metrics` asks for; undefined = open (the demo, tests), still refused by deploy/nginx.conf. */
  readonly metricsToken: string | undefined;
  readonly demoSeed: boolean;
  /** Server secret: keys the id-number hash and signs media join tokens. */
  readonly secret: string;
  readonly corsOrigins: readonly string[];
  readonly staffTokenTtlMin: number;
  /**
   * How old this node's copy of a site's waiting queue and windows may be for the estimate given with a
   * new ticket (see queue/waiting-snapshots.ts): other nodes' work reaches it within this time.
   */
  readonly estimateCopyMaxAgeMs: number;
  readonly rateLimit: {
    readonly ticketsPerMinPerIp: number;
    readonly bookingsPerMinPerIp: number;
    readonly bookingsPerDayPerPerson: number;
    readonly maxActiveAppointmentsPerPerson: number;
    readonly casesPerHourPerIp: number;
    readonly loginFailuresBeforeLockout: number;
    readonly loginsPerMinPerIp: number;
  };
  /** Per-connection budgets on `/hall` and `/media` (lib/socket-guard.ts). */
  readonly sockets: {
    readonly eventsPerSec: number;
    readonly eventBurst: number;
    readonly connectionsPerAddress: number;
  };
  readonly checkIn: { readonly earlyMin: number; readonly lateMin: number };
  readonly sms: { readonly gatewayUrl: string | undefined };
  /** Background jobs: how often the appointment sweeps (no-shows, reminders, outbox) run; the nightly hour. */
  readonly jobs: { readonly appointmentSweepMs: number; readonly nightlyHour: number };
  readonly media: {
    readonly enabled: boolean;
    readonly listenIp: string;
    readonly announcedIp: string | undefined;
    readonly rtcBasePort: number;
    readonly turnUrls: readonly string[];
    readonly turnUsername: string | undefined;
    readonly turnCredential: string | undefined;
    readonly workerBin: string | undefined;
    /** mediasoup workers; 0 = one per core. */
    readonly workers: number;
    /** Lifetime of a media join token; clients renew while the session lasts. */
    readonly tokenTtlSec: number;
    /** Where audit recordings go (sites whose policy has `recordSessions`). */
    readonly recordingsDir: string;
    readonly ffmpegBin: string;
    readonly ffprobeBin: string;
    /**
     * Where browsers reach media signalling (namespace `/media`), handed out with every join token. The
     * default, the page's own origin and `/socket.io`, is the embedded shape: `/media` beside `/hall` on this
     * process's socket.io server. A media node given another path serves `/media` on a socket.io server of
     * its own at that path, so a proxy can route it by URL (a namespace is not part of the URL).
     */
    readonly endpoint: {
      /** An origin (`https://media.example.gov.cn`); undefined = the origin of the page. */
      readonly url: string | undefined;
      /** socket.io path, without a trailing slash. */
      readonly path: string;
    };
    /**
     * Several media nodes (YC_MEDIA_REGION set): this node registers itself in Redis with heartbeats, API nodes
     * place each participant on a node of its site's region, and rooms span nodes over SRTP PipeTransports.
     */
    readonly cluster: {
      /** This node's region (`SH-QP`, `JS-WJ`, `ZJ-JS`); undefined = not a registered media node. */
      readonly region: string | undefined;
      readonly nodeId: string;
      /** Where pipe transports to other media nodes listen, and the address announced to them. */
      readonly pipeIp: string;
      readonly pipeAnnouncedIp: string | undefined;
      /** Heartbeat period; a node silent for 3 periods is dead. */
      readonly heartbeatMs: number;
    };
  };
  readonly webRoot: string;
  /** Case deadlines (办不成事, bad ratings, complaints): working days, a cut-off, local holidays. */
  readonly cases: {
    /** `HH:MM`: filed at or after this on a working day → counts from the next working day. */
    readonly cutoff: string;
    /** `HH:MM`: the time of day a deadline falls at. */
    readonly dueTime: string;
    readonly warnBeforeMin: number;
    /** Use the built-in national holiday calendar (国务院 notices). */
    readonly nationalCalendar: boolean;
    readonly holidays: readonly string[];
    readonly extraWorkdays: readonly string[];
    /** Per kind: `[reply, resolve, complexResolve]` working days; absent kinds keep the defaults. */
    readonly limits: Readonly<Record<string, readonly [number, number, number]>>;
  };
}

export type TrustProxy = false | number | readonly string[];

export const DEFAULT_ADMIN_PASSWORD = 'yichuang-demo';
/** The secret the demo runs with: published in this repository, so refused everywhere else. */
export const DEMO_SECRET = 'yichuang-dev-secret-not-for-production';
/** Passwords published in this repository or commonly guessed: refused as settings and as staff passwords outside the demo. */
export const PUBLISHED_PASSWORDS: ReadonlySet<string> = new Set([DEFAULT_ADMIN_PASSWORD, 'demo12345', 'admin', 'password', 'changeme', 'change-me', '12345678', '123456789', '1234567890']);
/** Rationale: 16 characters of any kind is the floor a level-3 review accepts for a key; `openssl rand -base64 32` gives 44. */
export const MIN_SECRET_LENGTH = 16;
/** Rationale: a long secret of one or two repeated characters is no secret. */
const MIN_SECRET_DISTINCT_CHARS = 8;
/** Rationale: staff passwords and the bootstrap admin's: 12 characters (GB/T 22239 asks for complexity and length). */
export const MIN_PASSWORD_LENGTH = 12;
/** The socket.io path of `/hall` (plugins/socket-io.ts), and of `/media` unless YC_MEDIA_PATH moves it. */
export const DEFAULT_SOCKET_IO_PATH = '/socket.io';
/** First path segments the app serves itself: a socket.io path there would swallow its routes. */
const RESERVED_SEGMENTS = ['api', 'counter', 'board', 'docs', 'metrics', 'assets'];

export class ConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

function int(env: Env, name: string, fallback: number, min = 0, max = 1_000_000): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be a boolean (1/0, true/false), got "${raw}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

const REGION = /^[A-Z]{2}-[A-Z0-9]{1,16}$/;

function mediaCluster(env: Env): Config['media']['cluster'] {
  const region = env.YC_MEDIA_REGION || undefined;
  if (region !== undefined) {
    if (!REGION.test(region)) throw new ConfigError(`YC_MEDIA_REGION must be a region code such as SH-QP, got "${region}"`);
    if (!env.REDIS_URL) throw new ConfigError('YC_MEDIA_REGION needs REDIS_URL: media nodes find each other there');
    if (!env.YC_MEDIA_URL) throw new ConfigError('YC_MEDIA_REGION needs YC_MEDIA_URL: the origin browsers reach this media node at');
  }
  const pipeIp = env.YC_MEDIA_PIPE_IP || env.YC_RTC_LISTEN_IP || '127.0.0.1';
  return {
    region,
    nodeId: env.YC_MEDIA_NODE_ID || `${os.hostname()}:${env.PORT || '8080'}`,
    pipeIp,
    pipeAnnouncedIp: env.YC_MEDIA_PIPE_ANNOUNCED_IP || undefined,
    // Rationale: 1 s beats make a dead node known within 3 s, leaving most of the 10 s failover budget to ICE and DTLS.
    heartbeatMs: int(env, 'YC_MEDIA_HEARTBEAT_MS', 1_000, 200, 60_000),
  };
}

function hhmm(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw)) throw new ConfigError(`${name} must be a time HH:MM, got "${raw}"`);
  return raw;
}

function dates(env: Env, name: string): string[] {
  const values = list(env, name);
  for (const v of values) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new ConfigError(`${name} must list dates YYYY-MM-DD, got "${v}"`);
  }
  return values;
}

/** An origin browsers can reach (`https://host[:port]`): no path, since socket.io would read it as a namespace. */
function origin(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${name} must be an origin such as https://media.example.gov.cn (no path: the socket.io path is YC_MEDIA_PATH), got "${raw}"`);
  }
  return url.origin;
}

/** YC_MEDIA_URL; https only in production, since browsers refuse ws:// (and plain fetches) from an https page. */
function mediaOrigin(env: Env, production: boolean): string | undefined {
  const url = origin(env, 'YC_MEDIA_URL');
  if (production && url?.startsWith('http:')) {
    throw new ConfigError(`YC_MEDIA_URL must be https:// with NODE_ENV=production (browsers refuse ws:// from an https page), got "${env.YC_MEDIA_URL}"`);
  }
  return url;
}

/** A socket.io path such as `/media-io`: its own first segment, never one the app serves, never under `/socket.io`. */
function socketIoPath(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  const value = raw.replace(/\/+$/, '');
  const first = value.split('/')[1] ?? '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value) || RESERVED_SEGMENTS.includes(first) || (value !== DEFAULT_SOCKET_IO_PATH && value.startsWith(`${DEFAULT_SOCKET_IO_PATH}/`))) {
    throw new ConfigError(`${name} must be a path such as /media-io, outside /${RESERVED_SEGMENTS.join(', /')} and /socket.io/, got "${raw}"`);
  }
  return value;
}

/**
 * TRUST_PROXY: `1` (deploy/nginx.conf in front: one hop), a larger hop count, or a comma-separated list of
 * proxy addresses and CIDRs (`10.0.0.0/8,192.168.1.5`). `true` is refused: trusting every hop lets a client
 * choose its own address, and every per-address limit with it.
 */
function trustProxy(env: Env, name: string): TrustProxy {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || ['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new ConfigError(`${name} must be a hop count in [1, 10], got "${raw}"`);
    return hops;
  }
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!family || !bitsOk || extra !== undefined) {
      throw new ConfigError(`${name} must be a hop count (1 = one proxy, as deploy/nginx.conf) or a comma-separated list of proxy addresses/CIDRs, got "${entry}" (never "true": a client would choose its own address)`);
    }
  }
  return Object.freeze(entries);
}

/** Outside the demo: set, not published, long enough and not one repeated pattern. */
function secretSetting(env: Env, name: string, demo: boolean, demoDefault: string, minLength: number, distinct: number): string {
  const raw = env[name] || '';
  if (demo) return raw || demoDefault;
  if (!raw) throw new ConfigError(`${name} must be set outside the demo (npm start); e.g. \`openssl rand -base64 32\``);
  if (raw === DEMO_SECRET || PUBLISHED_PASSWORDS.has(raw) || raw.length < minLength || new Set(raw).size < distinct) {
    throw new ConfigError(`${name} is too weak: at least ${minLength} characters, not a published default (generate one with \`openssl rand -base64 32\`)`);
  }
  return raw;
}

/** `cannotBeDone=0/5/10,badRating=1/5/10`: reply / resolve / complex-resolve working days per case kind. */
function caseLimits(env: Env, name: string): Record<string, readonly [number, number, number]> {
  const out: Record<string, readonly [number, number, number]> = {};
  for (const item of list(env, name)) {
    const m = /^(cannotBeDone|badRating|complaint)=(\d{1,2})\/(\d{1,2})\/(\d{1,2})$/.exec(item);
    if (!m) throw new ConfigError(`${name} must look like "cannotBeDone=0/5/10,complaint=1/5/10", got "${item}"`);
    out[m[1] as string] = [Number(m[2]), Number(m[3]), Number(m[4])];
  }
  return out;
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const production = env.NODE_ENV === 'production';
  const demo = bool(env, 'YC_DEMO', false);
  if (demo && production) throw new ConfigError('YC_DEMO (the demo: published secret and passwords) cannot run with NODE_ENV=production');
  // Rationale: 4 distinct characters for a password is only a guard against "aaaaaaaaaaaa"; the length does the work.
  const adminPassword = secretSetting(env, 'YC_ADMIN_PASSWORD', demo, DEFAULT_ADMIN_PASSWORD, MIN_PASSWORD_LENGTH, 4);
  const secret = secretSetting(env, 'YC_SECRET', demo, DEMO_SECRET, MIN_SECRET_LENGTH, MIN_SECRET_DISTINCT_CHARS);
  const metricsToken = env.YC_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && (metricsToken.length < MIN_SECRET_LENGTH || !/^[\x21-\x7e]+$/.test(metricsToken))) {
    throw new ConfigError(`YC_METRICS_TOKEN must be at least ${MIN_SECRET_LENGTH} printable characters without spaces`);
  }
  // Demo accounts only in the demo, unless asked for by name; never in production (their password is published).
  const demoSeed = bool(env, 'YC_DEMO_SEED', demo);
  if (demoSeed && production) throw new ConfigError('YC_DEMO_SEED (demo accounts with a published password) cannot run with NODE_ENV=production');
  const repoRoot = REPO_ROOT;
  const config: Config = {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    production,
    demo,
    logLevel: env.LOG_LEVEL || 'info',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.YC_DATA_DIR || './data'),
    // Rationale: far above any request's real need (milliseconds), far below a citizen giving up on a kiosk.
    databaseLimits: {
      waitMs: int(env, 'YC_DB_WAIT_MS', 5_000, 0, 600_000),
      statementMs: int(env, 'YC_DB_STATEMENT_TIMEOUT_MS', 15_000, 0, 3_600_000),
      lockMs: int(env, 'YC_DB_LOCK_TIMEOUT_MS', 5_000, 0, 3_600_000),
      transactionMs: int(env, 'YC_DB_TRANSACTION_TIMEOUT_MS', 30_000, 0, 3_600_000),
    },
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.YC_REDIS_PREFIX || 'yc',
    adminUser: env.YC_ADMIN_USER || 'admin',
    adminPassword,
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    metricsToken,
    demoSeed,
    secret,
    corsOrigins: list(env, 'YC_CORS_ORIGINS'),
    staffTokenTtlMin: int(env, 'YC_STAFF_TOKEN_TTL_MIN', 12 * 60, 1),
    estimateCopyMaxAgeMs: int(env, 'YC_ESTIMATE_COPY_MAX_AGE_MS', 1_000, 0, 3_600_000),
    rateLimit: {
      ticketsPerMinPerIp: int(env, 'YC_RATE_TICKETS_PER_MIN', 30, 1),
      bookingsPerMinPerIp: int(env, 'YC_RATE_BOOKINGS_PER_MIN', 20, 1),
      bookingsPerDayPerPerson: int(env, 'YC_RATE_BOOKINGS_PER_DAY_PER_PERSON', 10, 1),
      maxActiveAppointmentsPerPerson: int(env, 'YC_MAX_ACTIVE_APPOINTMENTS', 3, 1),
      casesPerHourPerIp: int(env, 'YC_RATE_CASES_PER_HOUR', 10, 1),
      loginFailuresBeforeLockout: int(env, 'YC_LOGIN_FAILURES_BEFORE_LOCKOUT', 5, 1),
      loginsPerMinPerIp: int(env, 'YC_RATE_LOGINS_PER_MIN', 30, 1),
    },
    sockets: {
      // Rationale: a board or phone sends a handful of events a minute; a video join sends ~10 at once.
      eventsPerSec: int(env, 'YC_SOCKET_EVENTS_PER_SEC', 10, 1),
      eventBurst: int(env, 'YC_SOCKET_EVENT_BURST', 40, 1),
      // Rationale: phones behind one carrier NAT share an address; a hall's own devices are a few dozen.
      connectionsPerAddress: int(env, 'YC_SOCKET_CONNECTIONS_PER_IP', 200, 1),
    },
    checkIn: { earlyMin: int(env, 'YC_CHECKIN_EARLY_MIN', 30), lateMin: int(env, 'YC_CHECKIN_LATE_MIN', 15) },
    sms: { gatewayUrl: env.YC_SMS_GATEWAY_URL || undefined },
    // Rationale: 30 s keeps reminders and no-shows within half a minute (one-off timers make them exact).
    jobs: { appointmentSweepMs: int(env, 'YC_APPOINTMENT_SWEEP_MS', 30_000, 100, 3_600_000), nightlyHour: int(env, 'YC_NIGHTLY_HOUR', 2, 0, 23) },
    media: {
      enabled: bool(env, 'YC_MEDIA', true),
      listenIp: env.YC_RTC_LISTEN_IP || '127.0.0.1',
      announcedIp: env.YC_RTC_ANNOUNCED_IP || undefined,
      rtcBasePort: int(env, 'YC_RTC_BASE_PORT', 40000, 1024, 65000),
      turnUrls: list(env, 'YC_TURN_URLS'),
      turnUsername: env.YC_TURN_USERNAME || undefined,
      turnCredential: env.YC_TURN_CREDENTIAL || undefined,
      workerBin: env.MEDIASOUP_WORKER_BIN || undefined,
      workers: int(env, 'YC_MEDIA_WORKERS', 0, 0, 256),
      // Rationale: minutes, so a leaked token is soon useless; clients renew at half-life.
      tokenTtlSec: int(env, 'YC_MEDIA_TOKEN_TTL_SEC', 600, 30, 86_400),
      recordingsDir: path.resolve(env.YC_RECORDINGS_DIR || path.join(env.YC_DATA_DIR || './data', 'recordings')),
      ffmpegBin: env.YC_FFMPEG_BIN || 'ffmpeg',
      ffprobeBin: env.YC_FFPROBE_BIN || 'ffprobe',
      endpoint: { url: mediaOrigin(env, production), path: socketIoPath(env, 'YC_MEDIA_PATH', DEFAULT_SOCKET_IO_PATH) },
      cluster: mediaCluster(env),
    },
    webRoot: repoRoot,
    cases: {
      cutoff: hhmm(env, 'YC_CASE_CUTOFF', '16:00'),
      dueTime: hhmm(env, 'YC_CASE_DUE_TIME', '17:00'),
      warnBeforeMin: int(env, 'YC_CASE_WARN_BEFORE_MIN', 240, 0, 10_080),
      nationalCalendar: bool(env, 'YC_NATIONAL_CALENDAR', true),
      holidays: dates(env, 'YC_HOLIDAYS'),
      extraWorkdays: dates(env, 'YC_EXTRA_WORKDAYS'),
      limits: caseLimits(env, 'YC_CASE_LIMITS'),
    },
    ...overrides,
  };
  return Object.freeze(config);
}

/** A random secret for tests that must not share state. */
export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}
