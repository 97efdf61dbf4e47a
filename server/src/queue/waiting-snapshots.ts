/**
 * This node's copy of each site's waiting queue, for the estimate handed out with a new ticket. Without it
 * a kiosk rush reads the whole queue from the database for every forward play: thousands of rows, many
 * times a second, which cost more than issuing the tickets themselves.
 *
 * The copy is read afresh once it is older than `maxAgeMs`, and at once after anything on this node other
 * than an issue changed the queue (a call, a cancel, a resume: `forget`). Tickets this node issues are
 * added to it. So an estimate at issue can miss at most the last `maxAgeMs` of other nodes' work. Reading
 * a ticket later (GET) plays the database's queue, never this copy.
 */
import type { QueuedTicket } from './core/index.ts';

interface Snapshot {
  startedAt: number;
  tickets: Map<string, QueuedTicket> | null;
  loading: Promise<Map<string, QueuedTicket>> | null;
  /** Issued while the read was on its way: it may or may not have seen them. */
  addedDuringLoad: QueuedTicket[];
}

export interface WaitingSnapshots {
  /** The site's waiting tickets (in no particular order), with `extra` ones it does not hold yet. */
  get(siteId: string, extra?: Iterable<QueuedTicket>): Promise<QueuedTicket[]>;
  /** A ticket this node has just committed as waiting. */
  add(siteId: string, ticket: QueuedTicket): void;
  /** Something other than an issue changed the site's queue: read it afresh next time. */
  forget(siteId: string): void;
}

export function createWaitingSnapshots(load: (siteId: string) => Promise<QueuedTicket[]>, options: { maxAgeMs: number; now: () => number }): WaitingSnapshots {
  const snapshots = new Map<string, Snapshot>();
  /** Reads on their way, including any forgotten since (a play may still wait on one): issues reach them all. */
  const reading = new Map<string, Set<Snapshot>>();

  function fresh(s: Snapshot | undefined): s is Snapshot {
    return s !== undefined && (s.loading !== null || options.now() - s.startedAt < options.maxAgeMs);
  }

  function startLoad(siteId: string): Snapshot {
    dropStale();
    const s: Snapshot = { startedAt: options.now(), tickets: null, loading: null, addedDuringLoad: [] };
    const inFlight = reading.get(siteId) ?? new Set<Snapshot>();
    reading.set(siteId, inFlight.add(s));
    const settled = () => {
      inFlight.delete(s);
      if (inFlight.size === 0 && reading.get(siteId) === inFlight) reading.delete(siteId);
    };
    s.loading = load(siteId).then(
      (rows) => {
        settled();
        const tickets = new Map(rows.map((t) => [t.id, t]));
        for (const t of s.addedDuringLoad) tickets.set(t.id, t);
        s.tickets = tickets;
        s.addedDuringLoad = [];
        s.loading = null;
        return tickets;
      },
      (err: unknown) => {
        settled();
        if (snapshots.get(siteId) === s) snapshots.delete(siteId);
        throw err;
      },
    );
    snapshots.set(siteId, s);
    return s;
  }

  /** Sites that went quiet keep no copy. */
  function dropStale() {
    for (const [siteId, s] of snapshots) if (!fresh(s)) snapshots.delete(siteId);
  }

  return {
    async get(siteId, extra = []) {
      const current = snapshots.get(siteId);
      const s = fresh(current) ? current : startLoad(siteId);
      const tickets = s.tickets ?? (await s.loading) ?? new Map<string, QueuedTicket>();
      const list = [...tickets.values()];
      for (const t of extra) if (!tickets.has(t.id)) list.push(t);
      return list;
    },
    add(siteId, ticket) {
      for (const r of reading.get(siteId) ?? []) r.addedDuringLoad.push(ticket);
      snapshots.get(siteId)?.tickets?.set(ticket.id, ticket);
    },
    forget(siteId) {
      snapshots.delete(siteId);
    },
  };
}
