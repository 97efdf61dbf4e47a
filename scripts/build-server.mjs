/**
 * Compiles the server (and the workspace packages it imports: sfu, contracts) into one ES module,
 * `server/dist/server.mjs`, with npm packages left as imports. Rationale: tsx compiles every module at
 * boot and keeps each one's source and source map in the heap; the compiled server's idle process is less
 * than half the size (bench/RESULTS.md, #16). `npm start`, the Docker image, the benches and the tests that
 * start server processes run it; in-process tests and development run the sources through tsx.
 */
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'server', 'dist');
export const COMPILED_SERVER = path.join(outDir, 'server.mjs');
/** Rationale: stack traces in logs should name the .ts sources; the maps cost the process about 10 MiB. */
export const COMPILED_SERVER_ARGS = ['--enable-source-maps', 'server/dist/server.mjs'];

/**
 * npm packages stay imports (resolved from node_modules at run time); our own workspaces are compiled in.
 * The scripts/ modules stay imports too: they find the repository from their own location and run when
 * they are the entry point, both of which a copy inside the bundle would get wrong.
 */
const keepExternal = {
  name: 'keep-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@yichuang/') ? undefined : { path: args.path, external: true }));
    b.onResolve({ filter: /scripts\/[^/]+\.mjs$/ }, (args) => ({ path: path.relative(outDir, path.resolve(args.resolveDir, args.path)), external: true }));
  },
};

/**
 * Builds `server/dist/server.mjs` (and its source map). Each file is written under a temporary name and
 * renamed, so a process starting the server meanwhile (or a second build) never reads half a file.
 */
export async function buildServer() {
  const started = Date.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['server/src/server.ts'],
    outfile: COMPILED_SERVER,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    plugins: [keepExternal],
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(outDir, { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return Date.now() - started;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ms = await buildServer();
  console.log(`[build] ${path.relative(root, COMPILED_SERVER)} in ${ms} ms`);
}
