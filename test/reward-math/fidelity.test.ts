// Issue 19: the categories of answers the verifier missed on cases written outside this
// project, each with pairs of our own, equal and not equal; every pair must agree (not a
// percentage: these are the rules' own cases), and the original suite must stay whole.
import { describe, expect, it } from 'vitest';
import { judgeInput, judgeMath } from '../../ops/reward/math/judge.ts';
import { extractAnswer } from '../../ops/reward/math/extract.ts';
import { FIDELITY_PAIRS } from '../../ops/reward/math/suite/fidelity-pairs.ts';
import { LABELLED_PAIRS } from '../../ops/reward/math/suite/labelled-pairs.ts';

const CATEGORIES = ['prose', 'gold-form', 'chain', 'number-form', 'structure'];

describe('verifier fidelity pairs (issue 19)', () => {
  it('every category has at least 8 equal and 6 non-equal pairs', () => {
    for (const c of CATEGORIES) {
      const pairs = FIDELITY_PAIRS.filter((p) => p.category === c);
      expect([c, pairs.filter((p) => p.equal).length >= 8, pairs.filter((p) => !p.equal).length >= 6]).toEqual([c, true, true]);
    }
    expect(new Set(FIDELITY_PAIRS.map((p) => p.category))).toEqual(new Set(CATEGORIES));
  });

  for (const c of CATEGORIES) {
    it(`agrees on every ${c} pair`, () => {
      const misses = FIDELITY_PAIRS.filter((p) => p.category === c).flatMap((p) => {
        const r = judgeMath(p.gold, p.pred);
        return (r.kind === 'correct') === p.equal ? [] : [`${p.equal ? '=' : '!'} ${p.gold} @@ ${p.pred} -> ${r.kind}/${r.rule}: ${r.reason}`];
      });
      expect(misses).toEqual([]);
    });
  }

  it('the original labelled suite agrees on every pair', () => {
    const misses = LABELLED_PAIRS.filter((p) => (judgeMath(p.gold, p.pred).kind === 'correct') !== p.equal).map((p) => `line ${p.line}: ${p.gold} @@ ${p.pred}`);
    expect(misses).toEqual([]);
  });

  it('is symmetric where the rules say so and asymmetric where they say not', () => {
    // A predicted equation states its value; a gold equation without a label asks for an equation.
    expect(judgeMath('6', 'a+b=6').kind).toBe('correct');
    expect(judgeMath('a+b=6', '6').kind).toBe('wrong');
    // A gold set accepts its elements in parentheses; a gold tuple does not accept a set.
    expect(judgeMath('\\{1,2,3\\}', '(3,2,1)').kind).toBe('correct');
    expect(judgeMath('(3,2,1)', '\\{1,2,3\\}').kind).toBe('wrong');
    // Degrees against radians both ways, never a bare number against radians.
    expect(judgeMath('\\frac{\\pi}{2}', '90^\\circ').kind).toBe('correct');
    expect(judgeMath('90^\\circ', '\\frac{\\pi}{2}').kind).toBe('correct');
    expect(judgeMath('\\frac{\\pi}{2}', '90').kind).toBe('wrong');
  });
});

describe('prose fallback for models that do not box (off by default)', () => {
  const response = 'We add the numbers.\nThe answer is 3.5. That is all.';
  it('is off by default: no box, no answer, and no </think> still fails', () => {
    expect(extractAnswer(`<think>x</think> ${response}`).ok).toBe(false);
    expect(extractAnswer('The answer is 5.').ok).toBe(false);
    expect(judgeInput({ gold: '3.5', response: `<think>x</think> ${response}` }).kind).toBe('unparseable');
  });
  it('takes the last "answer is" phrase to the end of its sentence, keeping decimals', () => {
    expect(extractAnswer(`</think>${response}`, { proseFallback: true })).toEqual({ ok: true, answer: '3.5' });
    expect(extractAnswer('First answer: 2\nso the final answer is $\\frac{7}{2}$', { proseFallback: true })).toEqual({ ok: true, answer: '$\\frac{7}{2}$' });
    expect(judgeInput({ gold: '3.5', response, proseFallback: true }).kind).toBe('correct');
  });
  it('falls back to the last inline math, and a box still wins', () => {
    expect(extractAnswer('We get $x=2$ and then $y = 7$', { proseFallback: true })).toEqual({ ok: true, answer: 'y = 7' });
    expect(extractAnswer('The answer is 4. Check: \\boxed{5}', { proseFallback: true })).toEqual({ ok: true, answer: '5' });
    expect(extractAnswer('no value here', { proseFallback: true }).ok).toBe(false);
    expect(judgeInput({ gold: '7', response: 'We get $x=2$ and then $y = 7$', proseFallback: true }).kind).toBe('correct');
  });
  it('keeps the RL rule: the answer section is after the last </think>', () => {
    expect(extractAnswer('<think>The answer is 9.</think> so \\boxed{4}', { proseFallback: true })).toEqual({ ok: true, answer: '4' });
    expect(extractAnswer('<think>The answer is 9.</think> done', { proseFallback: true }).ok).toBe(false);
  });
});
