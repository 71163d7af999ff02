import { describe, expect, it } from 'vitest';
import { defaultBuckets } from './config.ts';

describe('the learner default micro-batch shapes', () => {
  const lengths = (b: { length: number }[]) => b.map((x) => x.length);

  it('are 8 rows at 32, 48, ... 160, then every 32 up to the context', () => {
    expect(lengths(defaultBuckets(256))).toEqual([32, 48, 64, 80, 96, 112, 128, 144, 160, 192, 224, 256]);
    expect(defaultBuckets(256).every((b) => b.batch === 8)).toBe(true);
    expect(lengths(defaultBuckets(40))).toEqual([32, 40]);
  });

  it('for rows of at most n tokens (shared prompts: responses only), stop at the first that holds n, plus the context', () => {
    expect(lengths(defaultBuckets(256, 137))).toEqual([32, 48, 64, 80, 96, 112, 128, 144, 256]);
    expect(lengths(defaultBuckets(64, 17))).toEqual([32, 64]);
    expect(lengths(defaultBuckets(256, 256))).toEqual(lengths(defaultBuckets(256)));
    expect(lengths(defaultBuckets(256, 1000))).toEqual(lengths(defaultBuckets(256)));
  });
});
