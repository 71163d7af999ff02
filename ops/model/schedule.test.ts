import { describe, expect, it } from 'vitest';
import { LrSchedule, lrAt } from './schedule.ts';

describe('lrAt', () => {
  it('warms up linearly then holds', () => {
    const s = LrSchedule.parse({ peakLr: 1, warmupSteps: 4 });
    expect([0, 1, 2, 3, 4, 100].map((t) => lrAt(s, t))).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
  });
  it('cosine decays to the floor and stays there', () => {
    const s = LrSchedule.parse({ peakLr: 1, warmupSteps: 2, kind: 'cosine', totalSteps: 12, minLrRatio: 0.1 });
    expect(lrAt(s, 2)).toBe(1);
    expect(lrAt(s, 7)).toBeCloseTo(0.55, 10);
    expect(lrAt(s, 12)).toBeCloseTo(0.1, 10);
    expect(lrAt(s, 50)).toBeCloseTo(0.1, 10);
    expect(LrSchedule.safeParse({ kind: 'cosine' }).error?.issues[0].path).toEqual(['totalSteps']);
  });
});
