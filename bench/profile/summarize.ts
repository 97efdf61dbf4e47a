/**
 * bench/profile: where a V8 CPU profile (node --cpu-prof) spends its time, as plain text for RESULTS.md.
 * Prints self time by package (or the server's own folders) and the heaviest functions.
 *
 * Usage: node --import tsx bench/profile/summarize.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** Where a frame comes from: an npm package, a folder of ours, node itself, or V8's own bookkeeping. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  const m = /\/(server|sfu)\/src\/(.*)$/.exec(url);
  if (m) return `${m[1]}/src/${(m[2] ?? '').split('/').slice(0, -1).join('/') || '.'}`;
  return url;
}

const file = process.argv[2];
if (!file) throw new Error('usage: summarize.ts <file.cpuprofile> [top]');
const top = Number(process.argv[3] ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
/** Module loading (boot, tsx compiling TypeScript) is not the load under test: it is counted apart. */
const loading = new Map<number, boolean>();
function isLoading(id: number): boolean {
  const known = loading.get(id);
  if (known !== undefined) return known;
  const n = byId.get(id);
  const url = n?.callFrame.url ?? '';
  const here = /node_modules\/tsx\/|node:internal\/modules\//.test(url) || n?.callFrame.functionName === 'compileSourceTextModule';
  const parentId = parent.get(id);
  const v = here || (parentId !== undefined && isLoading(parentId));
  loading.set(id, v);
  return v;
}
const selfUs = new Map<number, number>();
let loadingUs = 0;
p.samples.forEach((id, i) => {
  if (isLoading(id)) loadingUs += p.timeDeltas[i] ?? 0;
  else selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
/** Two frames above a node, to tell apart e.g. a socket write for HTTP from one for Postgres. */
function callers(id: number): string {
  const out: string[] = [];
  for (let q = parent.get(id); q !== undefined && out.length < 9; q = parent.get(q)) {
    const f = byId.get(q)?.callFrame;
    if (f && f.functionName) out.push(`${f.functionName}@${area(f.url, f.functionName)}`);
  }
  return out.join(' < ');
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const viaNative = new Map<string, number>();
const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
const busy = total - idle;
const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n || n.callFrame.functionName === '(idle)') continue;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const key = `${n.callFrame.functionName || '(anonymous)'} ${a}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  if (a === '(native)') {
    const k = `${n.callFrame.functionName} < ${callers(id)}`;
    viaNative.set(k, (viaNative.get(k) ?? 0) + us);
  }
}
const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`;
console.log(`${file}: ${((total + loadingUs) / 1e6).toFixed(1)} s profiled, ${(loadingUs / 1e6).toFixed(2)} s loading modules (left out), ${(busy / 1e6).toFixed(2)} s busy otherwise (${((100 * busy) / total).toFixed(0)}% of the rest)`);
console.log('\nself time by area (share of busy time):');
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us).padStart(6)}  ${a}`);
console.log('\nheaviest functions (self):');
for (const [f, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us).padStart(6)}  ${f}`);
console.log('\nnative calls by caller:');
for (const [f, us] of [...viaNative].sort((x, y) => y[1] - x[1]).slice(0, 10)) console.log(`  ${pct(us).padStart(6)}  ${f}`);
