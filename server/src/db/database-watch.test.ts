/** The database watch says an outage once, however many requests it refuses, and once that it is over. */
import { describe, expect, it } from 'vitest';
import { createDatabaseWatch, QUIET_SPELL_MS } from './database-watch.ts';

function watchWithLog() {
  const lines: string[] = [];
  let now = 1_000;
  const log = { error: (_: object, msg: string) => lines.push(`error: ${msg}`), info: (_: object, msg: string) => lines.push(`info: ${msg}`) };
  const watch = createDatabaseWatch(() => log, () => now);
  return { watch, lines, advance: (ms: number) => (now += ms) };
}

describe('database watch', () => {
  it('logs an unreachable database once for all the requests it refuses, and once when it answers', () => {
    const { watch, lines } = watchWithLog();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 50; i++) watch.refused(refused);
    expect(lines).toEqual(['error: database cannot be reached: requests get 503 UNAVAILABLE until it answers']);
    watch.answered();
    watch.answered();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('info: database answers again');
    // A second outage is a new line.
    watch.refused(refused);
    expect(lines).toHaveLength(3);
  });

  it('adds nothing for requests refused by a timeout it has already logged', () => {
    const { watch, lines, advance } = watchWithLog();
    watch.timedOut('lock');
    for (let i = 0; i < 50; i++) watch.refused(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }));
    expect(lines).toEqual(['error: database is not answering in time: requests get 503 UNAVAILABLE until it does']);
    advance(QUIET_SPELL_MS);
    watch.answered();
    expect(lines).toEqual(['error: database is not answering in time: requests get 503 UNAVAILABLE until it does', 'info: database answers again']);
    expect(watch.stuckSince).toBeNull();
  });
});
