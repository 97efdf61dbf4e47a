/** SQL of the queue: every function takes the transaction it runs in. */
import { and, asc, eq, getTableColumns, gt, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { executeNamed, executeNamedText } from '../db/prepared.ts';
import { idempotencyKeys, services, ticketEvents, tickets, windowServices, windows } from '../db/schema/index.ts';

export type TicketRow = typeof tickets.$inferSelect;
export type ServiceRow = typeof services.$inferSelect;
export type WindowRow = typeof windows.$inferSelect;
export type TicketEventInsert = typeof ticketEvents.$inferInsert;

export async function findService(tx: Tx, serviceId: string): Promise<ServiceRow | undefined> {
  const [row] = await tx.select().from(services).where(eq(services.id, serviceId)).limit(1);
  return row;
}

/** Whether an expert was rung for, or takes part in, an assistance session about this ticket. */
export async function expertOnTicket(tx: Tx, ticketId: string, staffId: string): Promise<boolean> {
  const result = (await tx.execute(sql`
    SELECT 1 FROM assist_sessions s
    WHERE s.ticket_id = ${ticketId}
      AND (${staffId}::uuid = ANY(s.rung_staff_ids)
        OR EXISTS (SELECT 1 FROM assist_participants p WHERE p.session_id = s.id AND p.staff_id = ${staffId}))
    LIMIT 1`)) as { rows: unknown[] };
  return result.rows.length > 0;
}

export async function findTicket(tx: Tx, id: string, lock = false): Promise<TicketRow | undefined> {
  const q = tx.select().from(tickets).where(eq(tickets.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

export async function findWindow(tx: Tx, id: string, lock = false): Promise<WindowRow | undefined> {
  const q = tx.select().from(windows).where(eq(windows.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

/** The follow-up ticket a transfer issued, if any. */
export async function followUpOf(tx: Tx, ticketId: string): Promise<string | undefined> {
  const [row] = await tx.select({ id: tickets.id }).from(tickets).where(eq(tickets.transferredFromId, ticketId)).limit(1);
  return row?.id;
}

export async function windowServiceIds(tx: Tx, windowId: string): Promise<string[]> {
  const rows = await tx.select({ id: windowServices.serviceId }).from(windowServices).where(eq(windowServices.windowId, windowId));
  return rows.map((r) => r.id);
}

/** A `RETURNING *` row of `tickets` (snake_case, driver values) as drizzle would have mapped it. */
const ticketColumns = Object.entries(getTableColumns(tickets));
export function ticketFromSqlRow(raw: Record<string, unknown>): TicketRow {
  const out: Record<string, unknown> = {};
  for (const [key, column] of ticketColumns) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as TicketRow;
}

export interface IssueRow {
  /** The id is chosen by the caller (the estimate is worked out before the row exists); the number is this category's next of the day. */
  id: string; siteId: string; serviceId: string; day: string; category: string; priority: TicketRow['priority']; channel: TicketRow['channel'];
  issuedAt: number; waitAnchorAt: number; dueAt: number; targetWindowId: string | null;
  citizenNameMasked: string | null; citizenIdHash: string | null; citizenIdMasked: string | null; citizenPhoneMasked: string | null;
  accessTokenHash: string; appointmentId: string | null; transferredFromId: string | null;
  /** The estimate handed out with the ticket, kept to report its error later. */
  etaAtIssueMin: number | null; etaLowAtIssueMin: number | null; etaHighAtIssueMin: number | null;
  event: { actorKind: 'citizen' | 'staff'; data: Record<string, unknown> };
  idempotency: { key: string; requestHash: string; accessTokenSealed: string } | null;
}

/**
 * Issues tickets in one statement: the day's next numbers for their categories, the tickets (with the
 * estimates handed out), their `issued` events and idempotency keys commit together or not at all, in one
 * round trip, so a failed issue leaves no gap in the numbers. Within a category, numbers follow the ids
 * (time-ordered: the order the tickets were issued). The counter rows stay locked until the commit's disk
 * flush. Counter rows and idempotency keys are taken in one order (site, day, category; key), so two
 * nodes' statements wait for each other rather than deadlock.
 * Numbers are the category and at least three digits (A001 … A999, A1000).
 * Only ids and numbers come back: every other column is what was written or a default. The rows come
 * back in the order given.
 */
/**
 * The columns `insertIssuedTickets` sends, one array parameter each, in the order of its `unnest`.
 * Rationale: the statement's text never changes, so it is written once here rather than built by the query
 * builder for every batch (which cost as much CPU as the rest of the batch's own code).
 */
const ISSUED_COLUMNS: readonly [name: string, type: string, pick: (r: IssueRow) => unknown][] = [
  ['id', 'uuid', (r) => r.id], ['site_id', 'uuid', (r) => r.siteId], ['service_id', 'uuid', (r) => r.serviceId],
  ['day', 'date', (r) => r.day], ['category', 'text', (r) => r.category], ['priority', 'text', (r) => r.priority],
  ['channel', 'text', (r) => r.channel], ['issued_at', 'timestamptz', (r) => new Date(r.issuedAt).toISOString()],
  ['wait_anchor_at', 'timestamptz', (r) => new Date(r.waitAnchorAt).toISOString()], ['due_at', 'timestamptz', (r) => new Date(r.dueAt).toISOString()],
  ['target_window_id', 'uuid', (r) => r.targetWindowId], ['citizen_name_masked', 'text', (r) => r.citizenNameMasked],
  ['citizen_id_hash', 'text', (r) => r.citizenIdHash], ['citizen_id_masked', 'text', (r) => r.citizenIdMasked],
  ['citizen_phone_masked', 'text', (r) => r.citizenPhoneMasked], ['access_token_hash', 'text', (r) => r.accessTokenHash],
  ['appointment_id', 'uuid', (r) => r.appointmentId], ['transferred_from_id', 'uuid', (r) => r.transferredFromId],
  ['eta_at_issue_min', 'int', (r) => r.etaAtIssueMin], ['eta_low_at_issue_min', 'int', (r) => r.etaLowAtIssueMin], ['eta_high_at_issue_min', 'int', (r) => r.etaHighAtIssueMin],
  ['actor_kind', 'text', (r) => r.event.actorKind], ['event_data', 'text', (r) => JSON.stringify(r.event.data)],
  ['idempotency_key', 'text', (r) => r.idempotency?.key ?? null], ['request_hash', 'text', (r) => r.idempotency?.requestHash ?? null],
  ['access_token_sealed', 'text', (r) => r.idempotency?.accessTokenSealed ?? null],
];

const INSERT_ISSUED_SQL = `
    WITH i AS (
      SELECT * FROM unnest(${ISSUED_COLUMNS.map(([, type], k) => `$${k + 1}::${type}[]`).join(', ')})
        AS i(${ISSUED_COLUMNS.map(([name]) => name).join(', ')})
    ), wanted AS (
      SELECT site_id, day, category, count(*)::int AS n FROM i GROUP BY site_id, day, category
    ), counters AS (
      INSERT INTO number_counters (site_id, day, category, last)
      SELECT site_id, day, category, n FROM wanted ORDER BY site_id, day, category
      ON CONFLICT (site_id, day, category) DO UPDATE SET last = number_counters.last + excluded.last
      RETURNING site_id, day, category, last
    ), numbered AS (
      SELECT i.*, counters.last - wanted.n + row_number() OVER (PARTITION BY i.site_id, i.day, i.category ORDER BY i.id) AS seq
      FROM i JOIN counters USING (site_id, day, category) JOIN wanted USING (site_id, day, category)
    ), t AS (
      INSERT INTO tickets (id, site_id, service_id, day, number, status, priority, channel, issued_at, wait_anchor_at, due_at,
        target_window_id, citizen_name_masked, citizen_id_hash, citizen_id_masked, citizen_phone_masked, access_token_hash,
        appointment_id, transferred_from_id, eta_at_issue_min, eta_low_at_issue_min, eta_high_at_issue_min)
      SELECT id, site_id, service_id, day, category || lpad(seq::text, greatest(3, length(seq::text)), '0'), 'waiting', priority,
        channel, issued_at, wait_anchor_at, due_at, target_window_id, citizen_name_masked, citizen_id_hash, citizen_id_masked,
        citizen_phone_masked, access_token_hash, appointment_id, transferred_from_id, eta_at_issue_min, eta_low_at_issue_min,
        eta_high_at_issue_min
      FROM numbered
      RETURNING id, site_id, issued_at, number
    ), e AS (
      INSERT INTO ticket_events (ticket_id, site_id, type, to_status, actor_kind, at, data)
      SELECT t.id, t.site_id, 'issued', 'waiting', i.actor_kind, t.issued_at, i.event_data::jsonb FROM t JOIN i USING (id)
    ), k AS (
      INSERT INTO idempotency_keys (scope, key, request_hash, ticket_id, access_token_sealed)
      SELECT i.site_id::text, i.idempotency_key, i.request_hash, t.id, i.access_token_sealed
      FROM t JOIN i USING (id) WHERE i.idempotency_key IS NOT NULL ORDER BY i.idempotency_key
    )
    SELECT id, number FROM t`;

export async function insertIssuedTickets(tx: Tx, rows: readonly IssueRow[]): Promise<TicketRow[]> {
  const params = ISSUED_COLUMNS.map(([, , pick]) => rows.map(pick));
  const inserted = await executeNamedText<{ id: string; number: string }>(tx, 'yc_insert_issued_tickets', INSERT_ISSUED_SQL, params);
  const numberOf = new Map(inserted.map((r) => [r.id, r.number]));
  return rows.map((r) => {
    const number = numberOf.get(r.id);
    if (number === undefined) throw new Error(`ticket ${r.id} was not stored`);
    return issuedTicketRow({ id: r.id, number }, r);
  });
}

/** The row `insertIssuedTickets` stored: its values plus the table's defaults for a new waiting ticket. */
function issuedTicketRow({ id, number }: { id: string; number: string }, r: IssueRow): TicketRow {
  return {
    id, siteId: r.siteId, serviceId: r.serviceId, day: r.day, number, status: 'waiting', priority: r.priority, channel: r.channel,
    issuedAt: new Date(r.issuedAt), waitAnchorAt: new Date(r.waitAnchorAt), dueAt: new Date(r.dueAt), targetWindowId: r.targetWindowId,
    windowId: null, calledAt: null, lastCalledAt: null, callCount: 0, startedAt: null, finishedAt: null, suspendedAt: null, resumeBy: null,
    outcome: null, note: null, citizenNameMasked: r.citizenNameMasked, citizenIdHash: r.citizenIdHash, citizenIdMasked: r.citizenIdMasked,
    citizenPhoneMasked: r.citizenPhoneMasked, accessTokenHash: r.accessTokenHash, appointmentId: r.appointmentId,
    transferredFromId: r.transferredFromId, etaAtIssueMin: r.etaAtIssueMin,
    etaLowAtIssueMin: r.etaLowAtIssueMin, etaHighAtIssueMin: r.etaHighAtIssueMin, slaWarnedAt: null,
  };
}

/**
 * The eligible waiting ticket with the earliest dueAt (ties: issuedAt, then id: the core's
 * `compareForCalling`), locked. SKIP LOCKED lets two windows calling at once take different tickets
 * instead of waiting for each other or both taking the same one.
 *
 * A row can also be locked for a moment by something that is not calling it (a cancel on its way). So
 * when SKIP LOCKED finds nothing but an eligible ticket exists, wait for that row's lock and take it if it
 * is still waiting, rather than tell the clerk the queue is empty.
 * NO KEY UPDATE, not UPDATE: inserting an event for a ticket takes a KEY SHARE lock on it (the foreign
 * key), which must not make a caller pass the ticket over.
 */
export async function lockNextEligible(tx: Tx, siteId: string, windowId: string, serviceIds: string[]): Promise<TicketRow | undefined> {
  if (serviceIds.length === 0) return undefined;
  const eligible = and(
    eq(tickets.siteId, siteId),
    eq(tickets.status, 'waiting'),
    inArray(tickets.serviceId, serviceIds),
    or(isNull(tickets.targetWindowId), eq(tickets.targetWindowId, windowId)),
  );
  const order = [asc(tickets.dueAt), asc(tickets.issuedAt), asc(tickets.id)];
  // Rationale: each retry follows a commit by another holder; three cover a burst of concurrent calls.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [free] = await tx.select().from(tickets).where(eligible).orderBy(...order).limit(1).for('no key update', { skipLocked: true });
    if (free) return free;
    const [held] = await tx.select({ id: tickets.id }).from(tickets).where(eligible).orderBy(...order).limit(1);
    if (!held) return undefined;
    // READ COMMITTED re-checks the condition once the holder commits: a ticket called meanwhile drops out.
    const [waited] = await tx.select().from(tickets).where(and(eq(tickets.id, held.id), eligible)).for('no key update');
    if (waited) return waited;
  }
  return undefined;
}

/**
 * The window with the items it serves; `lock` locks the window for the transaction (calls at one window
 * then run one at a time). Unlocked, it is enough to decide who may call there.
 */
export async function findWindowWithServices(tx: Tx, windowId: string, lock = false): Promise<{ window: WindowRow; serviceIds: string[] } | undefined> {
  const q = tx
    .select({ window: windows, serviceIds: sql<string[]>`array(SELECT service_id::text FROM window_services WHERE window_id = ${windows.id})` })
    .from(windows)
    .where(eq(windows.id, windowId))
    .limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row ? { window: row.window, serviceIds: parsePgArray(row.serviceIds) } : undefined;
}

/** PGlite and pg both hand back text[] as an array; a driver that gives its literal form is parsed here. */
function parsePgArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',') : [];
}

/** A Postgres array literal of ids or whole numbers, for one `::uuid[]` / `::int[]` parameter. */
const pgArray = (values: readonly (string | number | null)[]) =>
  `{${values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(Math.round(v)) : v)).join(',')}}`;

interface CallAtWindow {
  windowId: string;
  siteId: string;
  serviceIds: string[];
  toStatus: TicketRow['status'];
  staffId: string;
  at: number;
}

/**
 * One statement: pick the window's next eligible ticket in calling order (`lockNextEligible`'s order,
 * SKIP LOCKED), mark it called and append the `called` event. `windowGate`, when given, is a CTE named
 * `w` that the pick waits for and requires a row of.
 */
async function pickAndCall(tx: Tx, c: CallAtWindow, windowGate?: SQL): Promise<TicketRow | undefined> {
  if (c.serviceIds.length === 0) return undefined;
  const at = new Date(c.at).toISOString();
  const result = (await tx.execute(sql`
    WITH ${windowGate ? sql`${windowGate},` : sql``} c AS MATERIALIZED (
      SELECT t.id, t.status FROM tickets t
      WHERE ${windowGate ? sql`EXISTS (SELECT 1 FROM w) AND` : sql``} t.site_id = ${c.siteId}::uuid AND t.status = 'waiting'
        AND t.service_id = ANY(${pgArray(c.serviceIds)}::uuid[])
        AND (t.target_window_id IS NULL OR t.target_window_id = ${c.windowId}::uuid)
      ORDER BY t.due_at, t.issued_at, t.id
      LIMIT 1
      FOR NO KEY UPDATE OF t SKIP LOCKED
    ), u AS (
      UPDATE tickets SET status = ${c.toStatus}::text, window_id = ${c.windowId}::uuid, called_at = coalesce(tickets.called_at, ${at}::timestamptz),
        last_called_at = ${at}::timestamptz, call_count = tickets.call_count + 1
      FROM c WHERE tickets.id = c.id
      RETURNING tickets.*, c.status AS from_status
    ), e AS (
      INSERT INTO ticket_events (ticket_id, site_id, type, from_status, to_status, actor_kind, actor_id, window_id, at)
      SELECT u.id, u.site_id, 'called', u.from_status, u.status, 'staff', ${c.staffId}::uuid, ${c.windowId}::uuid, ${at}::timestamptz FROM u
    )
    SELECT * FROM u`)) as { rows: Record<string, unknown>[] };
  const raw = result.rows[0];
  return raw ? ticketFromSqlRow(raw) : undefined;
}

/**
 * The common case of call-next, with no transaction around it: lock the window (still open, still staffed
 * by `clerkId` when given) and call its next ticket, in one statement. Site and items come as parameters
 * rather than from the window so the planner walks the waiting index in deadline order. Returns undefined
 * when it called nobody, for whatever reason; the caller then takes the careful path
 * (`findWindowWithServices` locked + `callNextEligible`), which can tell why.
 */
export async function callNextAtWindow(tx: Tx, c: CallAtWindow & { clerkId: string | null }): Promise<TicketRow | undefined> {
  return pickAndCall(tx, c, sql`w AS MATERIALIZED (
      SELECT id FROM windows
      WHERE id = ${c.windowId}::uuid AND status = 'open' AND (${c.clerkId}::uuid IS NULL OR clerk_id = ${c.clerkId}::uuid)
      FOR NO KEY UPDATE
    )`);
}

/**
 * Calls the next eligible ticket at a window whose lock the transaction holds, falling back to
 * `lockNextEligible`'s wait when every eligible ticket was briefly locked by something else.
 */
export async function callNextEligible(tx: Tx, c: CallAtWindow): Promise<TicketRow | undefined> {
  const called = await pickAndCall(tx, c);
  if (called || c.serviceIds.length === 0) return called;
  const waited = await lockNextEligible(tx, c.siteId, c.windowId, c.serviceIds);
  if (!waited) return undefined;
  const [updated] = await tx
    .update(tickets)
    .set({ status: c.toStatus, windowId: c.windowId, calledAt: waited.calledAt ?? new Date(c.at), lastCalledAt: new Date(c.at), callCount: waited.callCount + 1 })
    .where(eq(tickets.id, waited.id))
    .returning();
  await appendEvent(tx, { ticketId: waited.id, siteId: c.siteId, type: 'called', fromStatus: waited.status, toStatus: c.toStatus, actorKind: 'staff', actorId: c.staffId, windowId: c.windowId, at: new Date(c.at) });
  return updated;
}

export async function appendEvent(tx: Tx, event: TicketEventInsert): Promise<void> {
  await tx.insert(ticketEvents).values(event);
}

export async function findIdempotent(tx: Tx, scope: string, key: string) {
  const [row] = await tx.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))).limit(1);
  return row;
}

/** Waiting tickets per item of a site (boards show them per category; the caller maps items to categories). */
export async function waitingByService(tx: Tx, siteId: string): Promise<Map<string, number>> {
  const result = (await tx.execute(sql`
    SELECT service_id AS "serviceId", count(*)::int AS n FROM tickets WHERE site_id = ${siteId}::uuid AND status = 'waiting' GROUP BY service_id`)) as {
    rows: { serviceId: string; n: number }[];
  };
  return new Map(result.rows.map((r) => [r.serviceId, Number(r.n)]));
}

/**
 * What the ETA play needs of a site's waiting queue, in calling order. Raw rows with times as epoch
 * milliseconds: a rush can hold thousands of waiting tickets and this runs for every burst of issues.
 */
export async function waitingSnapshot(tx: Tx, siteId: string): Promise<{ id: string; serviceId: string; dueAt: number; issuedAt: number; targetWindowId: string | null }[]> {
  const result = (await tx.execute(sql`
    SELECT id, service_id AS "serviceId", (extract(epoch from due_at) * 1000)::float8 AS "dueAt",
      (extract(epoch from issued_at) * 1000)::float8 AS "issuedAt", target_window_id AS "targetWindowId"
    FROM tickets WHERE site_id = ${siteId} AND status = 'waiting'
    ORDER BY due_at, issued_at, id`)) as { rows: { id: string; serviceId: string; dueAt: number | string; issuedAt: number | string; targetWindowId: string | null }[] };
  return result.rows.map((r) => ({ id: r.id, serviceId: r.serviceId, dueAt: Number(r.dueAt), issuedAt: Number(r.issuedAt), targetWindowId: r.targetWindowId }));
}

/** A window as the ETA play sees it. */
export interface EtaWindowRow {
  id: string;
  open: boolean;
  serviceIds: string[];
  /** The ticket it is calling or serving, and since when (service start, else its last call), epoch ms. */
  busy: { serviceId: string; sinceMs: number | null } | null;
}

/** A site's windows with their items and what each is busy with, in window-number order: one statement. */
export async function windowsForEta(tx: Tx, siteId: string): Promise<EtaWindowRow[]> {
  const rows = await executeNamed<{ id: string; status: string; serviceIds: string[] | string; busyServiceId: string | null; busySinceMs: number | string | null }>(tx, 'yc_windows_for_eta', sql`
    SELECT w.id, w.status,
      array(SELECT ws.service_id::text FROM window_services ws WHERE ws.window_id = w.id) AS "serviceIds",
      b.service_id AS "busyServiceId", (extract(epoch from coalesce(b.started_at, b.last_called_at)) * 1000)::float8 AS "busySinceMs"
    FROM windows w
    LEFT JOIN LATERAL (
      SELECT t.service_id, t.started_at, t.last_called_at FROM tickets t
      WHERE t.window_id = w.id AND t.status IN ('called', 'serving') LIMIT 1
    ) b ON true
    WHERE w.site_id = ${siteId}::uuid
    ORDER BY w.number`);
  return rows.map((r) => ({
    id: r.id,
    open: r.status === 'open',
    serviceIds: parsePgArray(r.serviceIds),
    busy: r.busyServiceId ? { serviceId: r.busyServiceId, sinceMs: r.busySinceMs === null ? null : Number(r.busySinceMs) } : null,
  }));
}

/** Mean handling minutes per service over recent finished tickets of a site. */
export async function recentMeanHandleMin(tx: Tx, siteId: string, sinceMs: number): Promise<Map<string, number>> {
  const rows = await tx
    .select({ serviceId: tickets.serviceId, mean: sql<number>`avg(extract(epoch from (${tickets.finishedAt} - ${tickets.startedAt})) / 60)::float8` })
    .from(tickets)
    .where(and(eq(tickets.siteId, siteId), eq(tickets.status, 'done'), isNotNull(tickets.startedAt), gt(tickets.finishedAt, new Date(sinceMs))))
    .groupBy(tickets.serviceId);
  return new Map(rows.filter((r) => r.mean !== null && Number.isFinite(Number(r.mean))).map((r) => [r.serviceId, Number(r.mean)]));
}

/** Suspended tickets whose time to come back has passed. */
export async function expiredSuspensions(tx: Tx, nowMs: number): Promise<{ id: string }[]> {
  return tx.select({ id: tickets.id }).from(tickets).where(and(eq(tickets.status, 'suspended'), lte(tickets.resumeBy, new Date(nowMs)))).limit(500);
}

/** Waiting tickets close to their dueAt that have not been warned about, marked as warned (not locked). */
export async function claimAtRisk(tx: Tx, nowMs: number, horizonMs: number): Promise<{ id: string; siteId: string; number: string; dueAt: Date }[]> {
  const result = (await tx.execute(sql`
    WITH due AS (
      SELECT t.id, t.site_id, t.number, t.due_at FROM tickets t
      WHERE t.status = 'waiting' AND t.due_at <= ${new Date(nowMs + horizonMs).toISOString()}::timestamptz
        AND NOT EXISTS (SELECT 1 FROM ticket_sla_warnings w WHERE w.ticket_id = t.id)
    ), claimed AS (
      INSERT INTO ticket_sla_warnings (ticket_id, site_id, warned_at)
      SELECT id, site_id, ${new Date(nowMs).toISOString()}::timestamptz FROM due
      ON CONFLICT (ticket_id) DO NOTHING
      RETURNING ticket_id
    )
    SELECT due.id, due.site_id AS "siteId", due.number, (extract(epoch from due.due_at) * 1000)::float8 AS "dueAtMs"
    FROM due JOIN claimed ON claimed.ticket_id = due.id`)) as { rows: { id: string; siteId: string; number: string; dueAtMs: number | string }[] };
  return result.rows.map((r) => ({ id: r.id, siteId: r.siteId, number: r.number, dueAt: new Date(Number(r.dueAtMs)) }));
}
