import type { types } from 'mediasoup';
import type { MediaKind, MediaSource, PeerInfo, ServerEvents } from './contracts.ts';
import type { JoinRole } from './join-token.ts';

/** Sends one server event to this peer's connection. */
export type Notify = <E extends keyof ServerEvents>(event: E, data: Parameters<ServerEvents[E]>[0]) => void;

export interface TransportAppData extends types.AppData {
	peerId: string;
	direction: 'send' | 'recv';
}
export interface ProducerAppData extends types.AppData {
	peerId: string;
	source: MediaSource;
}
export interface ConsumerAppData extends types.AppData {
	/** The peer whose producer this consumer receives. */
	peerId: string;
	source: MediaSource;
}

/** One participant in a Room: its transports, producers and consumers, all on `router`. */
export class Peer {
	readonly transports = new Map<string, types.WebRtcTransport<TransportAppData>>();
	readonly producers = new Map<string, types.Producer<ProducerAppData>>();
	readonly consumers = new Map<string, types.Consumer<ConsumerAppData>>();
	#closed = false;

	constructor(
		readonly id: string,
		readonly role: JoinRole,
		readonly displayName: string,
		/** The router this peer's transports live on (one of its room's routers). */
		readonly router: types.Router,
		readonly notify: Notify,
	) {}

	get closed(): boolean {
		return this.#closed;
	}

	info(): PeerInfo {
		return {
			peerId: this.id,
			role: this.role,
			displayName: this.displayName,
			producers: [...this.producers.values()].map((p) => ({
				producerId: p.id,
				kind: p.kind as MediaKind,
				source: p.appData.source,
			})),
		};
	}

	/** Closes every transport (and so every producer and consumer). Idempotent. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		for (const transport of this.transports.values()) transport.close();
		this.transports.clear();
		this.producers.clear();
		this.consumers.clear();
	}
}
