// Integer n-gram keys over token-id sequences. Two independent 32-bit multiplicative
// hashes are packed into one 53-bit number (exact as a JS double), so a Set/Map of keys
// needs no strings; callers that act on a match still compare the token ids exactly.
// Not a rolling hash: n is small (9 by default) and a fresh fold per window is cheaper
// than the bookkeeping of a rolling one at this size.

import { FNV_OFFSET, fnv1a32 } from '../hash.ts';

const TWO_21 = 2097152;

/**
 * Key of ids[from .. from+len), with len mixed in so that prefixes differ from wholes:
 * FNV-1a (finalized) in the high 32 bits, a murmur-style lane in the low 21.
 */
export function ngramKey(ids: ArrayLike<number>, from: number, len: number): number {
  let h1 = fnv1a32(ids, FNV_OFFSET ^ len, from, from + len);
  let h2 = 0x9747b28c ^ Math.imul(len, 0x27d4eb2d);
  for (let i = from; i < from + len; i++) {
    h2 = Math.imul(h2 ^ ids[i], 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return (h1 >>> 0) * TWO_21 + (h2 >>> 11);
}

/** Keys of every window of length n (none when the sequence is shorter than n). */
export function ngramKeys(ids: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + n <= ids.length; p++) out.push(ngramKey(ids, p, n));
  return out;
}

/** True when a[ai..ai+len) equals b[bi..bi+len). */
export function sameRun(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, len: number): boolean {
  if (ai + len > a.length || bi + len > b.length) return false;
  for (let i = 0; i < len; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}
