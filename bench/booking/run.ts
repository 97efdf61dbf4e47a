/**
 * bench/booking: a release-time burst against real Postgres.
 *   (1) raw baseline: single-row INSERT transactions at concurrency 32
 *   (2) 5,000 booking requests from 5,000 distinct people, all in flight at once, for a day of slots with
 *       100 places left: exactly 100 must succeed, every other must get 409 SLOT_FULL (or 429), none a 5xx.
 *   (3) the same burst again from 5,000 other people, every slot now full: what a refusal costs, and the
 *       Postgres transactions it opens (pg_stat_database, read from another database so the reading is not counted).
 *   (4) the floor: the same requests with a malformed siteId, refused by schema validation before any domain
 *       code runs (HTTP, JSON, hooks, the error body).
 * Prints throughput and p50/p99 of each, and the burst's throughput as a ratio to the baseline.
 * The server runs as its own process (as in production) on a fresh database; rate limits are raised
 * through its environment, since the whole burst comes from this one address.
 *
 * Usage: node --import tsx bench/booking/run.ts
 *   BENCH_PG_URL   Postgres server to create the bench database on (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_REDIS_URL  run the server with Redis (rate limits, jobs) instead of in-process
 *   BENCH_BURST    requests in the burst (default 5000)
 *   BENCH_CONNECTIONS  connections carrying the burst (default 512)
 *   BENCH_WARMUP   bookings of a twin item (same rules, other people) before the burst (default 2000; 0 = a cold server)
 */
import { Agent, request } from 'node:http';
import os from 'node:os';
import pg from 'pg';
import { ADMIN_URL, closeHttp, http, pgbenchInsert, rawInsertBaseline, startServer, withDatabase } from '../lib/harness.ts';
import { writeSection } from '../lib/results.ts';
import { fmt, machineLine, summarize } from '../lib/stats.ts';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? '';
const BURST = Number(process.env.BENCH_BURST ?? 5_000);
const BASELINE_TOTAL = 4_000;
/** Bookings of a twin item before the burst: a node at 08:00 has been serving since the hall opened, not just started. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const CONCURRENCY = 32;
/** 5 windows × 60-min slots ÷ 15-min handling × share 0.5 = 10 places a slot; 08:00–18:00 = 10 slots = 100 places. */
const PLACES = 100;

/** GB 11643 check digit. */
function residentId(prefix17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...prefix17].reduce((acc, d, i) => acc + Number(d) * (w[i] ?? 0), 0);
  return prefix17 + '10X98765432'[sum % 11];
}

/** The i-th distinct person: a birth date per thousand, a sequence number within it. */
function person(i: number) {
  const birth = new Date(Date.UTC(1960, 0, 1 + Math.floor(i / 1000))).toISOString().slice(0, 10).replace(/-/g, '');
  return { name: '王小明', idNumber: residentId(`310101${birth}${String(i % 1000).padStart(3, '0')}`), phone: `139${String(i).padStart(8, '0')}` };
}

/**
 * The burst's transport: every request is issued at once, over at most BURST_CONNECTIONS keep-alive
 * connections. Rationale: a Node listener's accept backlog is 511; thousands of simultaneous new
 * connections to one process overflow it and the kernel resets some of them before any request is read
 * (in production the load balancer holds those connections). node:http rather than fetch, whose 10 s
 * connect timeout is shorter than a burst's queue.
 */
const BURST_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 512);
const burstAgent = new Agent({ keepAlive: true, maxSockets: BURST_CONNECTIONS });
function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: burstAgent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Transactions Postgres has counted for the database, read from the admin database so that reading them
 * adds none. Rationale: backends report their counts when idle, at most once a second; waiting 1.5 s first
 * lets the server's connections report theirs.
 */
async function transactionsOf(url: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 1500));
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    const { rows } = await admin.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [name]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await admin.end();
  }
}

function shanghaiDate(ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

async function main() {
  console.log(`bench/booking on ${machineLine()}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const rows: string[][] = [];
  let outcome = '';
  await withDatabase('booking', async (url) => {
    const raw = await rawInsertBaseline(url, BASELINE_TOTAL, CONCURRENCY);
    rows.push([`(1) raw single-row INSERT tx, c=${CONCURRENCY}`, `${fmt(raw.throughput, 0)}/s`, fmt(raw.p50, 2), fmt(raw.p99, 2), 'baseline']);
    console.log(`raw baseline: ${fmt(raw.throughput, 0)}/s`);
    const pgb = await pgbenchInsert(url, 5, CONCURRENCY);
    rows.push([`(1b) the same INSERT tx by pgbench, c=${CONCURRENCY}, 5 s`, pgb ? `${fmt(pgb.tps, 0)}/s` : 'pgbench not installed', '', pgb ? `avg ${fmt(pgb.latencyMs, 2)}` : '', pgb ? `node-pg reaches ${fmt(raw.throughput / pgb.tps, 2)} of it` : '']);

    const server = await startServer(url, {
      REDIS_URL,
      // The burst all comes from this address, and is one attempt per person.
      YC_RATE_BOOKINGS_PER_MIN: '1000000', YC_RATE_BOOKINGS_PER_DAY_PER_PERSON: '1000',
    });
    const { base, child } = server;
    try {
      const admin = (await http(base, 'POST', '/auth/login', { username: 'admin', password: 'bench-admin-pass' })).body.token as string;
      const site = (await http(base, 'POST', '/admin/sites', { code: 'BENCH', name: '基准中心', level: 'district', region: 'SH-QP' }, admin)).body;
      const service = (await http(base, 'POST', `/admin/sites/${site.id}/services`, { code: 'HOT', name: '热门事项', category: 'A', complexity: 'general', targetHandleMin: 15 }, admin)).body;
      // A twin item, released the same way, warms the server up first (a production node has been serving for hours).
      const twin = (await http(base, 'POST', `/admin/sites/${site.id}/services`, { code: 'TWIN', name: '热门事项二', category: 'B', complexity: 'general', targetHandleMin: 15 }, admin)).body;
      for (let w = 1; w <= 5; w++) await http(base, 'POST', `/admin/sites/${site.id}/windows`, { number: w, name: `窗口${w}`, kind: 'physical', serviceIds: [service.id, twin.id] }, admin);
      const day = [['08:00', '18:00']];
      for (const item of [service, twin]) {
        const rules = await http(base, 'PUT', `/admin/sites/${site.id}/services/${item.id}/booking-rules`, {
          openingHours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }, slotMinutes: 60, horizonDays: 7, appointmentShare: 0.5, closedDates: [],
        }, admin);
        if (rules.status !== 200) throw new Error(`rules: ${rules.status} ${JSON.stringify(rules.body)}`);
      }
      const date = shanghaiDate(Date.now() + 24 * 3600_000);
      if (WARMUP > 0) {
        const twinSlots = (await http(base, 'GET', `/sites/${site.id}/services/${twin.id}/slots?date=${date}`)).body as { start: string }[];
        await Promise.all(Array.from({ length: WARMUP }, (_, i) =>
          post(`${base}/api/v1/appointments`, JSON.stringify({ siteId: site.id, serviceId: twin.id, start: twinSlots[i % twinSlots.length]?.start, citizen: person(3 * BURST + i) }))));
        console.log(`warm-up: ${WARMUP} bookings of a twin item`);
      }
      const slots = (await http(base, 'GET', `/sites/${site.id}/services/${service.id}/slots?date=${date}`)).body as { start: string; remaining: number }[];
      const places = slots.reduce((n, s) => n + s.remaining, 0);
      if (places !== PLACES) throw new Error(`expected ${PLACES} places on ${date}, found ${places}`);

      // (2) The burst: every request in flight at once, each from a different person, spread over the slots.
      const bodies = Array.from({ length: BURST }, (_, i) => JSON.stringify({ siteId: site.id, serviceId: service.id, start: slots[i % slots.length]?.start, citizen: person(i) }));
      const latencies: number[] = [];
      const statuses = new Map<string, number>();
      const cpu0 = server.cpuSeconds();
      const t0 = performance.now();
      await Promise.all(bodies.map(async (body) => {
        const s = performance.now();
        let key: string;
        try {
          const res = await post(`${base}/api/v1/appointments`, body);
          const json = JSON.parse(res.body) as { error?: { code: string } };
          key = res.status === 201 ? '201' : `${res.status} ${json.error?.code ?? ''}`;
        } catch (err) {
          key = `client error ${(err as Error).message}`;
        }
        latencies.push(performance.now() - s);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }));
      const elapsed = performance.now() - t0;
      const serverCpuMsPerRequest = ((server.cpuSeconds() - cpu0) * 1000) / BURST;
      const burst = summarize(latencies, elapsed);

      const check = new pg.Client({ connectionString: url });
      await check.connect();
      const booked = Number((await check.query('SELECT count(*) AS n FROM appointments WHERE service_id = $1', [service.id])).rows[0].n);
      const counted = Number((await check.query('SELECT coalesce(sum(booked), 0) AS n FROM appointment_slots WHERE service_id = $1', [service.id])).rows[0].n);
      const overfull = Number((await check.query('SELECT count(*) AS n FROM appointment_slots WHERE booked > capacity')).rows[0].n);
      await check.end();

      // (3) and (4): bursts of the same shape that the server can only refuse.
      async function refusalBurst(label: string, bodiesOf: (i: number) => string, expected: string) {
        const xacts0 = await transactionsOf(url);
        const lat: number[] = [];
        const seen = new Map<string, number>();
        const c0 = server.cpuSeconds();
        const s0 = performance.now();
        await Promise.all(Array.from({ length: BURST }, async (_, i) => {
          const s = performance.now();
          const res = await post(`${base}/api/v1/appointments`, bodiesOf(i));
          const k = `${res.status} ${(JSON.parse(res.body) as { error?: { code: string } }).error?.code ?? ''}`;
          lat.push(performance.now() - s);
          seen.set(k, (seen.get(k) ?? 0) + 1);
        }));
        const wall = performance.now() - s0;
        const cpuMs = ((server.cpuSeconds() - c0) * 1000) / BURST;
        const xacts = (await transactionsOf(url)) - xacts0;
        const r = summarize(lat, wall);
        const right = seen.get(expected) ?? 0;
        if (right !== BURST) process.exitCode = 1;
        rows.push([label, `${fmt(r.throughput, 0)}/s`, fmt(r.p50, 1), fmt(r.p99, 1),
          `${right} of ${BURST} ${expected}; server CPU ${fmt(cpuMs, 3)} ms/request; ${xacts} Postgres transactions in the database meanwhile`]);
        console.log(`${label}: ${[...seen].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
      }
      await refusalBurst(`(3) the burst again, every slot full: ${BURST} other people at once`,
        (i) => JSON.stringify({ siteId: site.id, serviceId: service.id, start: slots[i % slots.length]?.start, citizen: person(BURST + i) }), '409 SLOT_FULL');
      await refusalBurst(`(4) floor: ${BURST} requests refused by schema validation (malformed siteId)`,
        (i) => JSON.stringify({ siteId: 'not-a-site', serviceId: service.id, start: slots[i % slots.length]?.start, citizen: person(BURST + i) }), '400 VALIDATION_FAILED');

      const ok = statuses.get('201') ?? 0;
      const refused = [...statuses].filter(([k]) => k === '409 SLOT_FULL' || k.startsWith('429')).reduce((n, [, v]) => n + v, 0);
      const fiveXx = [...statuses].filter(([k]) => k.startsWith('5')).reduce((n, [, v]) => n + v, 0);
      const verdict = ok === PLACES && booked === PLACES && counted === PLACES && overfull === 0 && refused === BURST - PLACES && fiveXx === 0;
      outcome = `${[...statuses].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}; in the database ${booked} appointments, ${counted} places counted, ${overfull} slots over capacity — ${verdict ? 'PASS' : 'FAIL'}`;
      rows.push([`(2) booking burst: ${BURST} people at once (${BURST_CONNECTIONS} connections), ${PLACES} places`, `${fmt(burst.throughput, 0)}/s`, fmt(burst.p50, 1), fmt(burst.p99, 1),
        `ratio ${fmt(burst.throughput / raw.throughput, 2)} to (1); ${ok} booked, ${refused} SLOT_FULL/429, ${fiveXx} 5xx; server CPU ${fmt(serverCpuMsPerRequest, 2)} ms/request`]);
      console.log(outcome);
      if (!verdict) process.exitCode = 1;
    } finally {
      child.kill('SIGTERM');
    }
  });

  // (2) is measured first but its row is made after the database check that follows (3) and (4).
  rows.sort((x, y) => (x[0] ?? '').localeCompare(y[0] ?? ''));
  const table = ['| measure | throughput | p50 ms | p99 ms | note |', '|---|---:|---:|---:|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  console.log(`\n${table}\n`);
  writeSection('Booking', [
    `\`node --import tsx bench/booking/run.ts\` — run ${new Date().toISOString()} on ${machineLine()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} after (shared machine);`,
    `Postgres ${ADMIN_URL.replace(/\/\/[^@]*@/, '//')}; server as a separate process, ${REDIS_URL ? 'Redis' : 'no Redis'}.`,
    '',
    table,
    '',
    `Outcome: ${outcome}.`,
    '',
    'Throughput of (2) is the whole burst (successes and refusals) over its wall time, from the first request sent to the last answer.',
    'Transactions in (3) and (4) are pg_stat_database counts: they include the server\'s own periodic work (sweeps, board counts), and backends report them lazily, so one window can show another\'s. That a refusal makes no statement at all is shown by test/appointments/slot-places.test.ts (answered while the slot table is locked).',
  ].join('\n'));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(closeHttp);
