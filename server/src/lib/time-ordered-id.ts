/**
 * UUIDs (version 7 layout) that sort in the order this node made them: the millisecond given, then a
 * counter within that millisecond, then random bits. A ticket's id is the last tie-break of the calling
 * order, so two tickets issued here in the same millisecond keep the order they were issued in (and the
 * estimate handed out with the first stays right when the second arrives). Sequential keys also keep the
 * primary-key index's inserts at its right edge.
 */
import { pooledRandomBytes } from './random-pool.ts';

export function createTimeOrderedIds(): (ms: number) => string {
  let lastMs = -1;
  let counter = 0;
  return (ms) => {
    counter = ms === lastMs ? (counter + 1) & 0xfff : 0;
    lastMs = ms;
    const bytes = pooledRandomBytes(16);
    const t = Math.max(0, Math.floor(ms));
    // 48-bit big-endian milliseconds.
    for (let i = 5; i >= 0; i--) bytes[i] = Math.floor(t / 2 ** (8 * (5 - i))) % 256;
    bytes[6] = 0x70 | (counter >> 8); // version 7, counter high bits
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // RFC 4122 variant
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
