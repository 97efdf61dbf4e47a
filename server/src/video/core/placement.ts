/**
 * Which media node a participant joins: one of its own region's (its site's `region`, e.g. JS-WJ), else the
 * least loaded live node anywhere; among those, one already hosting the participant's room before the others
 * (a second node of the same region would split the room for nothing). Draining nodes take nobody new; the
 * node a participant has just lost is offered to it only when no other is live. Pure: the registry's
 * snapshot comes in.
 */

export interface MediaNodeLoad {
  workers: number;
  rooms: number;
  peers: number;
  consumers: number;
  /** CPU of the node's mediasoup workers, in cores (0.5 = half a core). */
  cpu: number;
}

/** What a media node says about itself with every heartbeat. */
export interface MediaNodeRecord {
  id: string;
  region: string;
  /** Origin browsers reach its signalling at. */
  url: string;
  /** Its socket.io path. */
  path: string;
  draining: boolean;
  load: MediaNodeLoad;
}

/**
 * Rationale: consumers are what costs a node CPU and bandwidth (mediasoup: ~500 per worker), so they rank
 * first; CPU breaks ties between nodes carrying the same calls; the id makes the choice stable.
 */
function lighter(a: MediaNodeRecord, b: MediaNodeRecord): number {
  const perWorker = (n: MediaNodeRecord) => n.load.consumers / Math.max(1, n.load.workers);
  return perWorker(a) - perWorker(b) || a.load.cpu - b.load.cpu || a.load.rooms - b.load.rooms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface PlacementHints {
  /** Ids of the nodes already hosting the participant's room (from the room's set in Redis). */
  hosting?: ReadonlySet<string>;
  /**
   * The node whose connection the participant has just lost (the renewal says so): it may be dead though its
   * record has not expired yet (up to 3 heartbeats), so it is skipped unless it is the only live node.
   */
  lost?: string | undefined;
}

export function placeParticipant(nodes: readonly MediaNodeRecord[], region: string | undefined, hints: PlacementHints = {}): MediaNodeRecord | undefined {
  const open = nodes.filter((n) => !n.draining);
  const others = hints.lost === undefined ? open : open.filter((n) => n.id !== hints.lost);
  const live = others.length > 0 ? others : open;
  const own = region ? live.filter((n) => n.region === region) : [];
  const near = own.length > 0 ? own : live;
  const hosting = hints.hosting ? near.filter((n) => hints.hosting?.has(n.id)) : [];
  return [...(hosting.length > 0 ? hosting : near)].sort(lighter)[0];
}
