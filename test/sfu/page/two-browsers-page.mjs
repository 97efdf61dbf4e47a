/* global document, navigator, fetch */
// Test page for two-browsers.test.ts, bundled with esbuild together with @yichuang/sfu/client.
// Plain JS on purpose: the root tsconfig checks test/**/*.ts without DOM types; the client library itself is
// type-checked by sfu/src/client/tsconfig.json.
import { connectMedia } from '../../../sfu/src/client/media-client.ts';

// Every RTCPeerConnection the client library makes, so the test can cut media without telling anyone.
const peerConnections = [];
const NativeRTCPeerConnection = globalThis.RTCPeerConnection;
globalThis.RTCPeerConnection = class extends NativeRTCPeerConnection {
	constructor(...args) {
		super(...args);
		peerConnections.push(this);
	}
};

const state = { connection: undefined, states: [], remote: [], ended: [], quality: [], error: undefined, screenMode: undefined };

globalThis.yc = {
	state,
	/** With `renewUrl`, the connection asks it for a fresh join answer (as the apps ask the API). */
	async join(url, token, renewUrl) {
		try {
			state.connection = await connectMedia({
				url,
				token,
				...(renewUrl ? { renewJoin: async () => ({ url, token: await (await fetch(renewUrl)).text() }) } : {}),
				qualityIntervalMs: 1000,
				onStateChange: (s, detail) => state.states.push(detail ? `${s}:${detail}` : s),
				onRemoteTrack: (t) => {
					state.remote.push({ peerId: t.peerId, source: t.source, kind: t.kind, consumerId: t.consumerId });
					// Play it, as an app would: a <video> keeps the decoder honest.
					const el = document.createElement(t.kind === 'video' ? 'video' : 'audio');
					el.autoplay = true;
					el.muted = true;
					el.playsInline = true;
					el.srcObject = t.stream;
					el.dataset.consumerId = t.consumerId;
					document.body.append(el);
				},
				onRemoteTrackEnded: (t) => {
					state.ended.push(t.consumerId);
					document.querySelector(`[data-consumer-id="${t.consumerId}"]`)?.remove();
				},
				onQuality: (q) => state.quality.push(q.level),
			});
			return state.connection.peerId;
		} catch (error) {
			state.error = `${error.code ?? ''} ${error.message}`;
			throw error;
		}
	},
	/** Shares the (fake) screen; falls back to a second camera track tagged 'screen' if capture is refused. */
	async shareScreen() {
		try {
			// The library's own path: getDisplayMedia with its screen constraints.
			await state.connection.shareScreen();
			state.screenMode = 'getDisplayMedia';
		} catch {
			const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } });
			await state.connection.shareScreen({ track: stream.getVideoTracks()[0] });
			state.screenMode = 'camera-fallback';
		}
		return state.screenMode;
	},
	async stats() {
		return state.connection.getStats();
	},
	/**
	 * The SRTP cipher of every open peer connection, from its getStats() 'transport' report (`srtpCipher`, set
	 * once DTLS has negotiated the SRTP profile; undefined before), as [connectionState, srtpCipher] pairs.
	 */
	async srtpCiphers() {
		const out = [];
		for (const pc of peerConnections) {
			if (pc.connectionState === 'closed') continue;
			const report = await pc.getStats();
			for (const s of report.values()) if (s.type === 'transport') out.push([pc.connectionState, s.srtpCipher ?? null]);
		}
		return out;
	},
	/** Closes every peer connection behind the library's back: media stops, the socket stays up. */
	silenceMedia() {
		for (const pc of peerConnections.splice(0)) pc.close();
	},
	connectionState() {
		return state.connection?.state;
	},
};
// page.evaluate() callbacks in the test call `api()`: the test declares its type, this defines it in the page.
globalThis.api = () => globalThis.yc;
