#!/usr/bin/env node
// Resolves (and when needed builds) the mediasoup-worker binary for the installed mediasoup.
//
// Order: MEDIASOUP_WORKER_BIN env → the package's prebuilt worker/out/Release/mediasoup-worker →
// a cached build in .cache/mediasoup-worker/<version>-<patchhash>/ → build it now from
// node_modules/mediasoup/worker against Debian's system libraries (nothing is downloaded).
//
// Why build against system libraries: mediasoup's meson wraps download openssl, libuv, libsrtp2, usrsctp
// and abseil from the internet, which this project's machines cannot reach. We replace each wrap with a
// tiny local subproject that only declares the matching pkg-config dependency and the variables
// mediasoup's meson.build reads.
//
// Usage:  node scripts/build-mediasoup-worker.mjs          (prints progress on stderr, the path on stdout)
//         import { resolveMediasoupWorker } from './scripts/build-mediasoup-worker.mjs'
//
// This script is the only place in the sfu area that reads process.env.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const APT_PACKAGES = [
	'meson',
	'ninja-build',
	'pkg-config',
	'g++',
	'libsrtp2-dev',
	'libuv1-dev',
	'libssl-dev',
	'libabsl-dev',
	'libusrsctp-dev',
	'nlohmann-json3-dev',
];

/** A C file with one symbol so the "empty" static libraries are valid archives. */
const EMPTY_C = 'int yichuang_mediasoup_shim_placeholder(void);\nint yichuang_mediasoup_shim_placeholder(void) { return 0; }\n';

/**
 * Local subprojects that replace mediasoup's wraps. Keys are the subproject names used by
 * `subproject('<name>')` in worker/meson.build and worker/deps/libwebrtc/meson.build; the variables are those
 * it reads with `get_variable()`. The `*_lib` / library variables are only linked whole into
 * `libmediasoup-worker` (not built here) but must exist at configure time; they are empty C archives, while
 * the `*_dep` variables carry the real system libraries to the `mediasoup-worker` executable.
 */
const SHIMS = {
	openssl: {
		'meson.build': `project('openssl', 'c')
openssl_dep = dependency('openssl')
libcrypto_dep = dependency('libcrypto')
libssl_dep = dependency('libssl')
libcrypto_lib = static_library('openssl_crypto_shim', 'empty.c')
libssl_lib = static_library('openssl_ssl_shim', 'empty.c')
`,
		'empty.c': EMPTY_C,
	},
	nlohmann_json: {
		'meson.build': `project('nlohmann_json', 'cpp')
nlohmann_json_dep = dependency('nlohmann_json')
`,
	},
	libuv: {
		'meson.build': `project('libuv', 'c')
libuv_dep = dependency('libuv')
libuv = static_library('uv_shim', 'empty.c')
`,
		'meson_options.txt': `option('build_tests', type : 'boolean', value : false)
option('build_benchmarks', type : 'boolean', value : false)
`,
		'empty.c': EMPTY_C,
	},
	libsrtp2: {
		// Debian installs srtp.h under <includedir>/srtp2 and its .pc file does not add that directory.
		'meson.build': `project('libsrtp2', 'c')
_srtp = dependency('libsrtp2')
_srtp_include = _srtp.get_variable(pkgconfig : 'includedir') / 'srtp2'
libsrtp2_dep = declare_dependency(dependencies : _srtp, compile_args : ['-I' + _srtp_include])
libsrtp2 = static_library('srtp2_shim', 'empty.c')
`,
		'meson_options.txt': `option('crypto-library', type : 'combo', choices : ['none', 'openssl', 'nss', 'mbedtls'], value : 'openssl')
option('crypto-library-kdf', type : 'feature', value : 'auto')
option('tests', type : 'feature', value : 'disabled')
`,
		'empty.c': EMPTY_C,
	},
	usrsctp: {
		'meson.build': `project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('usrsctp_shim', 'empty.c')
`,
		'meson_options.txt': `option('sctp_build_programs', type : 'boolean', value : false)
`,
		'empty.c': EMPTY_C,
	},
	'abseil-cpp': {
		'meson.build': `project('abseil-cpp', 'c', 'cpp')
absl_container_dep = declare_dependency(dependencies : [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_btree'),
  dependency('absl_inlined_vector'),
  dependency('absl_memory'),
])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies : [
  dependency('absl_optional'),
  dependency('absl_variant'),
  dependency('absl_span'),
])
absl_container_lib = static_library('absl_container_shim', 'empty.c')
`,
		'empty.c': EMPTY_C,
	},
	// Only the test executables (not built) use catch2, but meson.build calls subproject('catch2') anyway.
	catch2: {
		'meson.build': `project('catch2', 'cpp')
catch2_dep = declare_dependency()
`,
	},
};

/**
 * Source patches applied to the build copy. Each is `[file, search, replace]`; a search that does not match
 * fails the build, so a new mediasoup version cannot silently skip a fix.
 */
const PATCHES = [
	// Debian's meson is 1.0.1; mediasoup 3.12 asks for 1.1 but uses nothing newer than 1.0 (it speaks JSON, no
	// flatbuffers generator).
	['meson.build', "meson_version: '>= 1.1.0'", "meson_version: '>= 1.0.0'"],
	// Bug in 3.12.16: ~WebRtcServer iterates webRtcTransports while ListenServerClosed() erases the transport
	// from that same set (through OnWebRtcTransportClosed). With Debian's hardened abseil that trips an
	// assertion (SIGILL) whenever a WebRtcServer is closed while it still has transports. Iterate a copy.
	[
		'src/RTC/WebRtcServer.cpp',
		`		for (auto* webRtcTransport : this->webRtcTransports)
		{
			webRtcTransport->ListenServerClosed();
		}
		this->webRtcTransports.clear();`,
		`		// Iterate a copy: ListenServerClosed() ends up erasing the transport from this->webRtcTransports.
		const std::vector<RTC::WebRtcTransport*> webRtcTransports(
		  this->webRtcTransports.begin(), this->webRtcTransports.end());

		for (auto* webRtcTransport : webRtcTransports)
		{
			webRtcTransport->ListenServerClosed();
		}
		this->webRtcTransports.clear();`,
	],
];

const MESON_SETUP_ARGS = ['--buildtype', 'release', '-Db_ndebug=true', '--wrap-mode=nodownload'];

/** Bump when the build procedure changes in a way the hashed inputs above don't capture. */
const RECIPE_VERSION = 2;

function patchHash() {
	const hash = createHash('sha256').update(JSON.stringify({ RECIPE_VERSION, SHIMS, PATCHES, MESON_SETUP_ARGS, arch: process.arch }));
	return hash.digest('hex').slice(0, 12);
}

function mediasoupDir() {
	const require = createRequire(path.join(repoRoot, 'package.json'));
	return path.dirname(require.resolve('mediasoup/package.json'));
}

function isExecutable(file) {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/**
 * Where the cached build for the installed mediasoup lives (whether or not it exists yet).
 * @returns {{ version: string, file: string, dir: string }}
 */
export function cachedWorkerLocation() {
	const pkg = JSON.parse(fs.readFileSync(path.join(mediasoupDir(), 'package.json'), 'utf8'));
	const dir = path.join(repoRoot, '.cache', 'mediasoup-worker', `${pkg.version}-${patchHash()}`);
	return { version: pkg.version, dir, file: path.join(dir, 'mediasoup-worker') };
}

/**
 * Returns the absolute path of a usable mediasoup-worker binary, building it if necessary.
 * @param {{ log?: (line: string) => void, env?: NodeJS.ProcessEnv, force?: boolean }} [options]
 * @returns {Promise<string>}
 */
export async function resolveMediasoupWorker(options = {}) {
	const log = options.log ?? ((line) => process.stderr.write(`[mediasoup-worker] ${line}\n`));
	const env = options.env ?? process.env;

	if (!options.force) {
		if (env.MEDIASOUP_WORKER_BIN) {
			if (!isExecutable(env.MEDIASOUP_WORKER_BIN)) {
				throw new Error(`MEDIASOUP_WORKER_BIN=${env.MEDIASOUP_WORKER_BIN} is not an executable file`);
			}
			return path.resolve(env.MEDIASOUP_WORKER_BIN);
		}
		const prebuilt = path.join(mediasoupDir(), 'worker', 'out', 'Release', 'mediasoup-worker');
		if (isExecutable(prebuilt)) return prebuilt;
	}

	const { version, dir, file } = cachedWorkerLocation();
	if (!options.force && isExecutable(file)) return file;

	fs.mkdirSync(path.dirname(dir), { recursive: true });
	const release = await acquireLock(`${dir}.lock`, log);
	try {
		// Another process may have finished the build while we waited for the lock.
		if (!options.force && isExecutable(file)) return file;
		await buildWorker({ version, outFile: file, log });
		return file;
	} finally {
		release();
	}
}

/** A mkdir-based lock so parallel test workers don't build twice. Stale after 30 min or a dead owner. */
async function acquireLock(lockDir, log) {
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
		}
		let stale = false;
		try {
			const pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			if (pid > 0) {
				try {
					process.kill(pid, 0);
				} catch {
					stale = true;
				}
			}
			// Rationale: a full build takes ~3 min on 2 cores; 30 min means its owner is gone.
			if (Date.now() - fs.statSync(lockDir).mtimeMs > 30 * 60_000) stale = true;
		} catch {
			// pid file not written yet: the owner is just starting.
		}
		if (stale) {
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (!announced) {
			log(`waiting for another build (${lockDir})`);
			announced = true;
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

function missingAptPackages() {
	return APT_PACKAGES.filter((pkg) => {
		const res = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
		return res.status !== 0 || !res.stdout.includes('install ok installed');
	});
}

function ensureAptPackages(log) {
	const missing = missingAptPackages();
	if (missing.length === 0) return;
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
		throw new Error(`missing system packages (install them as root): apt-get install ${missing.join(' ')}`);
	}
	log(`installing system packages: ${missing.join(' ')}`);
	// Rationale: another process may hold the dpkg lock (e.g. a provisioning step); wait up to 10 min.
	const aptArgs = ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...missing];
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	let res = spawnSync('apt-get', aptArgs, { stdio: ['ignore', 'inherit', 'inherit'], env });
	if (res.status !== 0) {
		log('apt-get install failed; running apt-get update and retrying');
		spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update'], { stdio: ['ignore', 'inherit', 'inherit'], env });
		res = spawnSync('apt-get', aptArgs, { stdio: ['ignore', 'inherit', 'inherit'], env });
		if (res.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
	}
}

function run(cmd, args, { cwd, log, onLine }) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		const tail = [];
		const handle = (chunk) => {
			for (const line of chunk.toString().split('\n')) {
				if (!line.trim()) continue;
				tail.push(line);
				if (tail.length > 60) tail.shift();
				onLine?.(line);
			}
		};
		child.stdout.on('data', handle);
		child.stderr.on('data', handle);
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve();
			else {
				log(`${cmd} ${args.join(' ')} failed (exit ${code}); last output:\n${tail.join('\n')}`);
				reject(new Error(`${cmd} exited with ${code}`));
			}
		});
	});
}

function applyPatches(workerDir) {
	for (const [file, search, replace] of PATCHES) {
		const full = path.join(workerDir, file);
		const text = fs.readFileSync(full, 'utf8');
		if (!text.includes(search)) throw new Error(`patch target not found in ${file}: ${search.slice(0, 60)}…`);
		fs.writeFileSync(full, text.replace(search, replace));
	}
}

function writeShims(workerDir) {
	const subprojects = path.join(workerDir, 'subprojects');
	// Remove the wraps: a wrap's `directory` would point meson at a download we will never have.
	for (const entry of fs.readdirSync(subprojects)) {
		if (entry.endsWith('.wrap')) fs.rmSync(path.join(subprojects, entry));
	}
	const shims = { ...SHIMS };
	// libsrtp2 comes from Debian (through its shim): the project builds no third-party source of its own.
	for (const [name, files] of Object.entries(shims)) {
		const dir = path.join(subprojects, name);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
	}
}

async function buildWorker({ version, outFile, log }) {
	const started = Date.now();
	ensureAptPackages(log);

	const buildRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mediasoup-worker-build-'));
	const workerDir = path.join(buildRoot, 'worker');
	try {
		log(`building mediasoup-worker ${version} in ${buildRoot} (takes a few minutes)`);
		fs.cpSync(path.join(mediasoupDir(), 'worker'), workerDir, {
			recursive: true,
			filter: (src) => !src.includes(`${path.sep}out${path.sep}`) && !src.endsWith(`${path.sep}out`),
		});
		applyPatches(workerDir);
		writeShims(workerDir);

		log('meson setup');
		await run('meson', ['setup', 'build', ...MESON_SETUP_ARGS], { cwd: workerDir, log });

		// Rationale: one job per core, capped at 4; the build is CPU-bound and the machine is shared.
		const jobs = String(Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 4)));
		let lastPercent = -1;
		await run('ninja', ['-C', 'build', '-j', jobs, 'mediasoup-worker'], {
			cwd: workerDir,
			log,
			onLine: (line) => {
				const m = /^\[(\d+)\/(\d+)\]/.exec(line);
				if (!m) return;
				const percent = Math.floor((Number(m[1]) / Number(m[2])) * 10) * 10;
				if (percent !== lastPercent) {
					lastPercent = percent;
					log(`compiling ${m[1]}/${m[2]} (${percent}%) ${Math.round((Date.now() - started) / 1000)}s`);
				}
			},
		});

		const built = path.join(workerDir, 'build', 'mediasoup-worker');
		fs.mkdirSync(path.dirname(outFile), { recursive: true });
		const tmp = `${outFile}.tmp-${process.pid}`;
		fs.copyFileSync(built, tmp);
		fs.chmodSync(tmp, 0o755);
		fs.renameSync(tmp, outFile);
		log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
	} finally {
		fs.rmSync(buildRoot, { recursive: true, force: true });
	}
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
	const force = process.argv.includes('--force');
	resolveMediasoupWorker({ force }).then(
		(file) => {
			process.stdout.write(`${file}\n`);
		},
		(error) => {
			process.stderr.write(`[mediasoup-worker] ${error instanceof Error ? error.message : String(error)}\n`);
			process.exitCode = 1;
		},
	);
}
