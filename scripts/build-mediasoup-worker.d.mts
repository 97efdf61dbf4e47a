// Types for build-mediasoup-worker.mjs (plain Node ESM so it runs without a TypeScript loader).
export interface ResolveMediasoupWorkerOptions {
	/** Progress lines; default: stderr with a "[mediasoup-worker]" prefix. */
	log?: (line: string) => void;
	/** Environment to read MEDIASOUP_WORKER_BIN from; default process.env. */
	env?: Record<string, string | undefined>;
	/** Ignore env, prebuilt and cache and build again. */
	force?: boolean;
}
/** Absolute path of a usable mediasoup-worker binary, building it (minutes) if there is none yet. */
export function resolveMediasoupWorker(options?: ResolveMediasoupWorkerOptions): Promise<string>;
/** Where the cached build for the installed mediasoup version lives, whether or not it exists yet. */
export function cachedWorkerLocation(): { version: string; file: string; dir: string };
