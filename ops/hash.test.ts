import { describe, expect, it } from 'vitest';
import { FNV_OFFSET, fnv1a32 } from './hash.ts';
import { ngramKey } from './data/ngram.ts';

// Values pinned from the four hand-written copies this replaced (seedOf in the generator
// actor, the math suite's split hash, dedup's MinHash band key, ngram.ts's first lane):
// splits, rollout seeds and dedup decisions of earlier runs depend on them.
describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors and the former string hashes', () => {
    const pinned: [string, number][] = [
      ['', 2166136261],
      ['a', 0xe40c292c],
      ['foobar', 0xbf9cf968],
      ['7:g12:3', 2351048973],
      ['Compute (3+4)\\times 5.', 1625403460],
      ['héllo ✓ 𝔸', 688655899], // UTF-16 code units, not UTF-8 bytes
    ];
    for (const [s, h] of pinned) expect(fnv1a32(s), s).toBe(h);
  });

  it('hashes 32-bit words from a salted basis over a range (MinHash band keys)', () => {
    const sig = Uint32Array.from([0, 1, 0xffffffff, 0x80000000, 12345678, 0xdeadbeef, 42, 7]);
    const band = (b: number) => b * 4294967296 + fnv1a32(sig, FNV_OFFSET ^ b, 2 * b, 2 * b + 2);
    expect([0, 1, 3].map(band)).toEqual([276207162, 6149466163, 16556440633]);
  });

  it('keeps ngramKey values', () => {
    const ids = [1, 40, 41, 42, 43, 271, 0, 9, 100, 5];
    const keys = [[0, 9], [1, 9], [0, 3], [2, 0], [0, 10]].map(([f, l]) => ngramKey(ids, f, l));
    expect(keys).toEqual([4947443928506600, 1959233282397148, 5575638354078203, 1210209948330230, 1910121369016516]);
  });
});
