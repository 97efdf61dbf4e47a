/** Finding an item by what a citizen types: part of its name, or pinyin initials (社保卡补办 → sbkbb). */
import type { Service } from './contract-types.ts';

export function normalizeQuery(q: string): string {
  return q.trim().toLowerCase().replace(/\s+/g, '');
}

/** Higher is better; 0 means no match. */
export function scoreService(service: Pick<Service, 'name' | 'pinyin' | 'code'>, rawQuery: string): number {
  const q = normalizeQuery(rawQuery);
  if (!q) return 0;
  const name = service.name.toLowerCase();
  if (name === q) return 100;
  if (name.startsWith(q)) return 80;
  if (name.includes(q)) return 60;
  const py = service.pinyin?.toLowerCase() ?? '';
  if (/^[a-z]+$/.test(q) && py) {
    if (py.startsWith(q)) return 50;
    if (py.includes(q)) return 40;
  }
  if (service.code.toLowerCase() === q) return 30;
  return 0;
}

export function searchServices<T extends Pick<Service, 'name' | 'pinyin' | 'code'>>(services: readonly T[], query: string): T[] {
  return services
    .map((s) => ({ s, score: scoreService(s, query) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || a.s.name.length - b.s.name.length)
    .map((x) => x.s);
}
