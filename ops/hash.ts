// FNV-1a, 32-bit: the one non-cryptographic hash behind data splits, per-rollout seeds,
// MinHash band keys and n-gram keys. Each step xors in a whole 32-bit value (a UTF-16 code
// unit of a string, or an integer such as a token id) rather than a byte; for ASCII text
// that is byte FNV-1a. Not cryptographic, and not a PRNG (ops/rng.ts).

/** The FNV-1a 32-bit offset basis; callers xor a small salt into it for independent keys. */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over data[from .. to) from `basis`: h = (h ^ x) * prime mod 2^32 per element, x a
 * string's charCodeAt or an array's value (taken mod 2^32). Returns an unsigned 32-bit integer.
 */
export function fnv1a32(data: string | ArrayLike<number>, basis = FNV_OFFSET, from = 0, to = data.length): number {
  let h = basis;
  if (typeof data === 'string') for (let i = from; i < to; i++) h = Math.imul(h ^ data.charCodeAt(i), FNV_PRIME);
  else for (let i = from; i < to; i++) h = Math.imul(h ^ data[i], FNV_PRIME);
  return h >>> 0;
}
