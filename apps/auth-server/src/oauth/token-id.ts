import { randomFillSync } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';

// uuid's own v7() asks WebCrypto for 16 random bytes on every call (about 5 µs each, measured on
// the bench machine); drawing them from a 4 KiB pool refilled by the same CSPRNG costs 0.3 µs.
// Each slice of the pool is used once.
const pool = Buffer.alloc(4096);
let next = pool.length;

function randomBytes16(): Uint8Array {
  if (next + 16 > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool.subarray(next, (next += 16));
}

/**
 * A token id (`jti`): an RFC 9562 UUIDv7, unique as RFC 7519 §4.1.7 asks (74 random bits after
 * the millisecond). Time order keeps the audit log's credential index (and revoked_tokens)
 * appending at one end of the B-tree instead of touching a random page per token: a third less
 * CPU per audit row on SQLite. Ids minted in the same millisecond are not ordered among themselves.
 */
export function newTokenId(): string {
  return uuidV7({ random: randomBytes16() });
}
