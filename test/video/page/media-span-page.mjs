/* global document, navigator */
// Test page for media-span-netns.test.ts, bundled with esbuild together with @yichuang/sfu/client. Plain JS
// on purpose, as test/sfu/page/two-browsers-page.mjs: the root tsconfig has no DOM types.
import { connectMedia } from '../../../sfu/src/client/media-client.ts';

const state = { connection: undefined, states: [], remote: [], error: undefined };

globalThis.yc = {
	state,
	/**
	 * Joins with a join answer's endpoint (`node` included). A fresh one comes from `globalThis.ycRenew(lostNode)`
	 * (the test exposes it: it asks the API for the participant's join, naming the node lost, as the web apps do
	 * over HTTP).
	 */
	async join(endpoint) {
		try {
			// Rationale: a small camera keeps four encoders and decoders on a shared 2-core machine honest.
			const localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240, frameRate: 15 } });
			state.connection = await connectMedia({
				...endpoint,
				localStream,
				renewJoin: ({ lostNode }) => globalThis.ycRenew(lostNode ?? null),
				onStateChange: (s, detail) => state.states.push(detail ? `${s}:${detail}` : s),
				onRemoteTrack: (t) => {
					state.remote.push({ peerId: t.peerId, source: t.source, kind: t.kind, consumerId: t.consumerId });
					const el = document.createElement(t.kind === 'video' ? 'video' : 'audio');
					el.autoplay = true;
					el.muted = true;
					el.playsInline = true;
					el.srcObject = t.stream;
					el.dataset.consumerId = t.consumerId;
					document.body.append(el);
				},
				onRemoteTrackEnded: (t) => document.querySelector(`[data-consumer-id="${t.consumerId}"]`)?.remove(),
			});
			return state.connection.peerId;
		} catch (error) {
			state.error = `${error.code ?? ''} ${error.message}`;
			throw error;
		}
	},
	async shareScreen() {
		await state.connection.shareScreen();
	},
	async stats() {
		return state.connection.getStats();
	},
};
globalThis.api = () => globalThis.yc;
