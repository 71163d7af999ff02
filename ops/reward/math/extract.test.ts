import { describe, expect, it } from 'vitest';
import { extractAnswer, lastBoxed } from './extract.ts';

describe('extractAnswer', () => {
  it('takes the last \\boxed{} after the last </think>', () => {
    expect(extractAnswer('<think>\\boxed{1}</think> so \\boxed{2} and finally \\boxed{3}.')).toEqual({ ok: true, answer: '3' });
  });

  it('ignores boxed answers inside the thinking section', () => {
    const r = extractAnswer('<think>maybe \\boxed{7}</think> I am not sure.');
    expect(r).toEqual({ ok: false, reason: 'no \\boxed{} in the answer section' });
  });

  it('scores a response without </think> as unparseable with a reason', () => {
    const r = extractAnswer('The answer is \\boxed{5}.');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('no </think>');
  });

  it('uses the last </think> when there are several', () => {
    expect(extractAnswer('</think>\\boxed{1}</think>\\boxed{2}')).toEqual({ ok: true, answer: '2' });
    expect(extractAnswer('</think>\\boxed{1}</think>no box')).toEqual({ ok: false, reason: 'no \\boxed{} in the answer section' });
  });

  it('matches nested braces and escaped set braces', () => {
    expect(lastBoxed('\\boxed{\\frac{1}{\\sqrt{2}}}')).toEqual({ ok: true, answer: '\\frac{1}{\\sqrt{2}}' });
    expect(lastBoxed('\\boxed{\\{1, 2\\}}')).toEqual({ ok: true, answer: '\\{1, 2\\}' });
  });

  it('accepts \\fbox and the brace-less \\boxed 5', () => {
    expect(lastBoxed('so \\fbox{12}')).toEqual({ ok: true, answer: '12' });
    expect(lastBoxed('so $\\boxed 5$.')).toEqual({ ok: true, answer: '5' });
    expect(lastBoxed('\\boxed 42.')).toEqual({ ok: true, answer: '42' });
  });

  it('falls back to the last balanced \\boxed when the final one is unbalanced', () => {
    expect(lastBoxed('\\boxed{4} then \\boxed{\\frac{1}{2}')).toEqual({ ok: true, answer: '4' });
    expect(lastBoxed('\\boxed{\\frac{1}{2}')).toEqual({ ok: false, reason: 'unbalanced braces in \\boxed{' });
  });

  it('does not take \\boxedx for \\boxed and reports an empty box', () => {
    expect(lastBoxed('\\boxedx{3}')).toEqual({ ok: false, reason: 'no \\boxed{} in the answer section' });
    expect(lastBoxed('\\boxed{ }')).toEqual({ ok: false, reason: 'empty \\boxed{}' });
  });
});
