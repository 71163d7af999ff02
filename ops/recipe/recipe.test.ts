import { describe, expect, it } from 'vitest';
import { groupAdvantages } from './advantage.ts';
import { passAtK, summarize } from './eval.ts';

describe('group advantages', () => {
  it('normalizes by the group mean and population std', () => {
    const g = groupAdvantages([1, 0, 0, 0]);
    expect(g.mean).toBe(0.25);
    expect(g.std).toBeCloseTo(Math.sqrt(0.1875), 12);
    expect(g.advantages[0]).toBeCloseTo(0.75 / Math.sqrt(0.1875), 5);
    expect(g.advantages[1]).toBeCloseTo(-0.25 / Math.sqrt(0.1875), 5);
    expect(g.advantages.reduce((s, a) => s + a, 0)).toBeCloseTo(0, 9);
  });

  it('leaves unscorable members out of the statistics and gives them 0', () => {
    const g = groupAdvantages([1, null, 0, null]);
    expect(g.scorable).toBe(2);
    expect(g.mean).toBe(0.5);
    expect(g.advantages[1]).toBe(0);
    expect(g.advantages[3]).toBe(0);
    expect(g.advantages[0]).toBeCloseTo(1, 5);
    expect(g.advantages[2]).toBeCloseTo(-1, 5);
  });

  it('gives all-equal groups zero advantages and marks them degenerate', () => {
    for (const rewards of [[1, 1, 1], [0, 0], [null, 1], [null, null]] as const) {
      const g = groupAdvantages(rewards);
      expect(g.degenerate).toBe(true);
      expect(g.advantages.every((a) => a === 0)).toBe(true);
    }
  });
});

describe('pass@k', () => {
  it('matches the closed form on small cases', () => {
    expect(passAtK(4, 0, 1)).toBe(0);
    expect(passAtK(4, 4, 4)).toBe(1);
    expect(passAtK(8, 2, 1)).toBeCloseTo(0.25, 12);
    // 1 - C(6,2)/C(8,2) = 1 - 15/28
    expect(passAtK(8, 2, 2)).toBeCloseTo(13 / 28, 12);
    // 1 - C(6,8)/C(8,8): fewer wrong samples than k -> certain
    expect(passAtK(8, 2, 8)).toBe(1);
  });

  it('is stable for large n and rejects k > n', () => {
    expect(passAtK(1000, 1, 1)).toBeCloseTo(0.001, 12);
    expect(passAtK(1000, 10, 100)).toBeGreaterThan(0.65);
    expect(() => passAtK(4, 1, 8)).toThrow(RangeError);
  });

  it('summarizes avg@k and pass@k over problems', () => {
    const s = summarize(
      [
        { id: 'a', correct: [true, false, false, false] },
        { id: 'b', correct: [false, false, false, false] },
      ],
      4,
    );
    expect(s.avgAtK).toBeCloseTo(0.125, 12);
    expect(s.passAtK).toBeCloseTo(0.5, 12);
    expect(() => summarize([{ id: 'a', correct: [true] }, { id: 'b', correct: [true, false] }], 1)).toThrow(/problem b has 2 samples/);
  });
});
