// Types for build-server.mjs (plain Node ESM so `npm start` can run it before anything is compiled).
/** Absolute path of the compiled server, `server/dist/server.mjs`. */
export const COMPILED_SERVER: string;
/** What goes after `node` to run the compiled server, from the repository's root (stack traces name the .ts sources). */
export const COMPILED_SERVER_ARGS: readonly string[];
/** Builds the compiled server; resolves with the milliseconds it took. */
export function buildServer(): Promise<number>;
