/** Keeps the latest figures of each bench as a section of bench/RESULTS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = path.resolve(import.meta.dirname, '..', 'RESULTS.md');

/** Replaces (or appends) the section starting with `## <title>` up to the next `## `. */
export function writeSection(title: string, body: string): void {
  const heading = `## ${title}`;
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmark results\n\nLatest figures of each `bench/` script, with the machine they ran on.\n';
  const start = current.indexOf(`${heading}\n`);
  const section = `${heading}\n\n${body.trim()}\n\n`;
  if (start === -1) {
    writeFileSync(FILE, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const rest = current.slice(start + heading.length + 1);
  const nextIdx = rest.search(/^## /m);
  const after = nextIdx === -1 ? '' : rest.slice(nextIdx);
  writeFileSync(FILE, `${current.slice(0, start)}${section}${after}`);
}
