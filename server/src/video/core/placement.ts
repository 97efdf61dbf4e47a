/**
 * Which media node a participant joins: one of its own region's (its site's `region`, e.g. JS-WJ), else the
 * least loaded live node anywhere. Draining nodes take nobody new. Pure: the registry's snapshot comes in.
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

export function placeParticipant(nodes: readonly MediaNodeRecord[], region: string | undefined): MediaNodeRecord | undefined {
  const open = nodes.filter((n) => !n.draining);
  const own = region ? open.filter((n) => n.region === region) : [];
  return [...(own.length > 0 ? own : open)].sort(lighter)[0];
}
