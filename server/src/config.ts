/**
 * The only reader of process.env. Parsed once at boot; a bad value fails the boot with a clear message.
 * Every variable is documented in the README with its default.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly production: boolean;
  readonly logLevel: string;
  /** Postgres connection string; absent → embedded PGlite under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Redis connection string; absent → in-process events and jobs. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key, stream and queue: lets several deployments (or test runs) share a Redis. */
  readonly redisPrefix: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly trustProxy: boolean;
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

export const DEFAULT_ADMIN_PASSWORD = 'yichuang-demo';
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
  const adminPassword = env.YC_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
  if (production && adminPassword === DEFAULT_ADMIN_PASSWORD) {
    throw new ConfigError('YC_ADMIN_PASSWORD must be set to a non-default value when NODE_ENV=production');
  }
  const secret = env.YC_SECRET || (production ? '' : 'yichuang-dev-secret-not-for-production');
  if (!secret) throw new ConfigError('YC_SECRET must be set when NODE_ENV=production');
  const repoRoot = path.resolve(import.meta.dirname, '..', '..');
  const config: Config = {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    production,
    logLevel: env.LOG_LEVEL || 'info',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.YC_DATA_DIR || './data'),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.YC_REDIS_PREFIX || 'yc',
    adminUser: env.YC_ADMIN_USER || 'admin',
    adminPassword,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    demoSeed: bool(env, 'YC_DEMO_SEED', true),
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
      endpoint: { url: origin(env, 'YC_MEDIA_URL'), path: socketIoPath(env, 'YC_MEDIA_PATH', DEFAULT_SOCKET_IO_PATH) },
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
