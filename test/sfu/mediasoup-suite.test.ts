// Runs mediasoup's own compiled test suite (node_modules/mediasoup/node/lib/tests/test-*.js, written for Jest)
// against the mediasoup-worker we build from source, so a broken build or a bad patch shows up here.
//
// How: each test file is copied to a temp folder (with the DTLS cert/key pair it expects in data/), its
// require() specifiers rewritten to absolute paths, and required inside a vitest describe() with Jest's
// globals mapped onto vitest's (describe/test/expect/hooks are API-compatible; jest.fn → vi.fn). The
// describe() wrapper scopes each file's top-level hooks and module state to that file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test, vi } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The suite's own devDependencies (pick-port, sctp) are devDependencies of the sfu workspace.
const sfuRequire = createRequire(path.join(repoRoot, 'sfu', 'package.json'));
const mediasoupLib = path.dirname(sfuRequire.resolve('mediasoup'));
const testsDir = path.join(mediasoupLib, 'tests');

// mediasoup reads MEDIASOUP_WORKER_BIN when its Worker module loads, so set it before any require below.
process.env.MEDIASOUP_WORKER_BIN = await resolveMediasoupWorker();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mediasoup-suite-'));
fs.mkdirSync(path.join(tmp, 'data'));
execFileSync(
	'openssl',
	[
		'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
		'-subj', '/CN=mediasoup-test', '-keyout', path.join(tmp, 'data', 'dtls-key.pem'),
		'-out', path.join(tmp, 'data', 'dtls-cert.pem'),
	],
	{ stdio: 'ignore' },
);

function rewriteRequires(source: string): string {
	return source.replace(/require\("([^"]+)"\)/g, (_match, spec: string) => {
		if (spec.startsWith('.')) {
			// Relative to the original tests folder: "../" is mediasoup's index, "../errors" its errors module.
			return `require(${JSON.stringify(require.resolve(path.resolve(testsDir, spec)))})`;
		}
		if (spec.startsWith('node:') || ['os', 'path', 'process', 'dgram'].includes(spec)) return `require("${spec}")`;
		return `require(${JSON.stringify(sfuRequire.resolve(spec))})`;
	});
}
const require = createRequire(import.meta.url);

const files = fs
	.readdirSync(testsDir)
	.filter((f) => /^test-.*\.js$/.test(f))
	.sort();

Object.assign(globalThis, {
	describe,
	test,
	it,
	expect,
	beforeAll,
	afterAll,
	beforeEach,
	afterEach,
	jest: { fn: vi.fn, spyOn: vi.spyOn },
});

afterAll(() => {
	fs.rmSync(tmp, { recursive: true, force: true });
});

test('the mediasoup suite ships its 17 test files', () => {
	expect(files.length).toBe(17);
});

for (const file of files) {
	describe(`mediasoup ${file}`, () => {
		const copy = path.join(tmp, file);
		fs.writeFileSync(copy, rewriteRequires(fs.readFileSync(path.join(testsDir, file), 'utf8')));
		// Registers the file's tests and hooks inside this describe block.
		require(copy);
	});
}
