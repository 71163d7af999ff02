import { describe, expect, it } from 'vitest';
import { dedup, jaccardSorted, normalizeUrl } from './dedup.ts';

const base = 'A bag holds 4 red marbles, 5 blue marbles and 6 green marbles. Two marbles are drawn without replacement. What is the probability that both are green? Express your answer as a common fraction. The bag is shaken well before each draw, and no marble is put back into the bag between the two draws.';

describe('dedup', () => {
  it('drops exact duplicates after normalization, keeping the first', () => {
    const r = dedup([
      { id: 'a', text: base },
      { id: 'b', text: base.toUpperCase().replace('Two', 'two') },
      { id: 'c', text: 'Something else entirely, with enough words to shingle.' },
    ]);
    expect(r.pairs).toEqual([{ kind: 'exact', keptId: 'a', droppedId: 'b' }]);
    expect(r.dropped).toEqual([1]);
  });

  it('drops near-duplicates above the Jaccard threshold and keeps same-template problems with other answers', () => {
    const near = base.replace('Two marbles are drawn', 'Two marbles are then drawn');
    const r = dedup([
      { id: 'a', text: base, answer: '\\frac{1}{7}' },
      { id: 'b', text: near, answer: '\\dfrac{1}{7}' },
      { id: 'c', text: near.replace('both are green', 'both are red'), answer: '\\frac{2}{35}' },
    ]);
    expect(r.counts).toEqual({ exact: 0, near: 1, url: 0 });
    expect(r.pairs[0]).toMatchObject({ kind: 'near', keptId: 'a', droppedId: 'b' });
    expect(r.pairs[0].jaccard).toBeGreaterThanOrEqual(0.8);
    expect(r.dropped).toEqual([1]);
  });

  it('is seeded: the same seed gives the same pairs', () => {
    const docs = Array.from({ length: 30 }, (_, i) => ({ id: `d${i}`, text: `${base} Variant ${i % 10}.` }));
    expect(dedup(docs, { seed: 3, exact: false })).toEqual(dedup(docs, { seed: 3, exact: false }));
  });

  it('drops code problems with the same source URL', () => {
    const r = dedup([
      { id: 'a', text: 'Two sum problem statement one', url: 'https://leetcode.com/problems/two-sum/' },
      { id: 'b', text: 'A differently worded statement', url: 'http://www.LeetCode.com/problems/two-sum?tab=desc' },
    ]);
    expect(r.pairs).toEqual([{ kind: 'url', keptId: 'a', droppedId: 'b', url: 'leetcode.com/problems/two-sum' }]);
  });

  it('normalizeUrl and jaccardSorted', () => {
    expect(normalizeUrl('HTTPS://www.Example.com/a/b/#x')).toBe('example.com/a/b');
    expect(jaccardSorted(Uint32Array.from([1, 2, 3]), Uint32Array.from([2, 3, 4]))).toBe(0.5);
  });
});
