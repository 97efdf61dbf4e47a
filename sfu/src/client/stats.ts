// What MediaConnection.getStats() returns. Kept free of DOM types so server-side code and tests can import it.
import type { MediaKind, MediaSource } from '../contracts.ts';

export interface OutboundStats {
	source: MediaSource;
	kind: MediaKind;
	producerId: string;
	bytesSent: number;
	packetsSent: number;
	framesEncoded?: number;
	/** Per simulcast layer, lowest first. */
	layers: { rid?: string; frameWidth?: number; frameHeight?: number; framesPerSecond?: number; bytesSent: number }[];
}

export interface InboundStats {
	peerId: string;
	source: MediaSource;
	kind: MediaKind;
	consumerId: string;
	producerId: string;
	bytesReceived: number;
	packetsReceived: number;
	packetsLost: number;
	jitter?: number;
	framesDecoded?: number;
	frameWidth?: number;
	frameHeight?: number;
	framesPerSecond?: number;
}

export interface MediaStats {
	outbound: OutboundStats[];
	inbound: InboundStats[];
	rttMs: number | undefined;
	availableOutgoingBitrate: number | undefined;
}
