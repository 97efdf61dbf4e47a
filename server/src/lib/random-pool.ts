/**
 * Random bytes for ids and tokens, drawn from a pooled buffer that the CSPRNG refills in one call.
 * Rationale: each `randomBytes(n)` is a call into OpenSSL that costs as much for 16 bytes as for 4 KiB; a
 * ticket issue needs two (its id and its access token), and at a kiosk rush those calls were ~5 % of the
 * server's CPU. Node's own `randomUUID` pools the same way. The bytes are the same CSPRNG's: a slice is
 * handed out once and never again (copied out, so no caller can see or keep another's bytes).
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` fresh random bytes (n ≤ 4096). */
export function pooledRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} pooled random bytes at once`);
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  // Handed-out bytes are wiped in the pool, so nothing that later reads the pool can learn them.
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}
