import { describe, expect, it } from 'vitest';
import { canParseAnswer, judgeInput, judgeMath } from './judge.ts';

const verdict = (gold: string, pred: string) => {
  const r = judgeMath(gold, pred);
  return `${r.kind}/${r.rule}`;
};

describe('judgeMath cascade', () => {
  it('decides by the cheapest step that can', () => {
    expect(verdict('\\dfrac{1}{2}', '\\frac{1}{2}')).toBe('correct/string');
    expect(verdict('\\frac{1}{2}', '0.5')).toBe('correct/exact');
    expect(verdict('(x+1)^2', 'x^2+2x+1')).toBe('correct/expand');
    expect(verdict('2\\sqrt{5}', '\\sqrt{20}')).toBe('correct/numeric');
    expect(verdict('\\cot x', '\\frac{\\cos x}{\\sin x}')).toBe('correct/substitution');
    expect(verdict('\\text{Evelyn}', 'evelyn')).toBe('correct/text');
    expect(verdict('(1,2)', '[1,2]')).toBe('wrong/structure');
  });

  it('reports normalized forms and a reason', () => {
    expect(judgeMath('\\dfrac{3}{4}', '$0.75$')).toEqual({
      kind: 'correct', rule: 'exact', gold: '\\frac{3}{4}', pred: '0.75', reason: 'equal exact values',
    });
  });

  it('keeps tiny magnitudes apart (no equality by rounding)', () => {
    expect(verdict('\\frac{1}{2004!}', '\\frac{1}{2006!}')).toBe('wrong/exact');
    expect(verdict('10^{-400}', '10^{-401}')).toBe('wrong/exact');
    expect(verdict('1.0000000001', '1.0000000002')).toBe('wrong/exact');
    // Irrational and tiny: doubles underflow, compute-engine calls them equal; we must not.
    expect(judgeMath('\\frac{\\sqrt2}{2004!}', '\\frac{\\sqrt2}{2006!}').kind).toBe('wrong');
    expect(judgeMath('0', '10^{-20}').kind).toBe('wrong');
  });

  it('never lets parse errors compare equal', () => {
    expect(judgeMath('5', '\\frac{5').kind).toBe('unparseable');
    expect(judgeMath('\\frac{5', '\\frac{5}').kind).not.toBe('correct');
    expect(judgeMath('1', '').kind).toBe('unparseable');
  });

  it('scores an undecided comparison as wrong and says so', () => {
    const r = judgeMath('\\ln(x^2)', '2\\ln x');
    expect(r.kind).toBe('wrong');
    expect(r.rule).toBe('undecided');
    expect(r.reason).toContain('undecided is not equal');
  });

  it('gives an unparseable gold the unscorable kind error', () => {
    const r = judgeMath('\\frac{1}{', '1/2');
    expect(r.kind).toBe('error');
    expect(r.rule).toBe('parse');
  });

  it('compares equations as relations and strips variable prefixes', () => {
    expect(verdict('5x - 7y + 11z + 4 = 0', '10x - 14y + 22z + 8 = 0')).toBe('correct/substitution');
    expect(judgeMath('y = 2x + 3', 'y = 2x - 3').kind).toBe('wrong');
    expect(judgeMath('x < 3', '3 > x').kind).toBe('correct');
    expect(judgeMath('x \\ge 2', 'x > 2').kind).toBe('wrong');
    expect(judgeMath('3', 'x = 3').kind).toBe('correct');
    expect(judgeMath('3', 'x = 4').kind).toBe('wrong');
  });

  it('treats answer lists and ± as unordered, tuples as ordered', () => {
    expect(judgeMath('1 \\pm \\sqrt{19}', '1-\\sqrt{19}, 1+\\sqrt{19}').kind).toBe('correct');
    expect(judgeMath('3, 5, 7', '7, 3, 5').kind).toBe('correct');
    expect(judgeMath('(3, 5)', '(5, 3)').kind).toBe('wrong');
    expect(judgeMath('\\{1, 2\\}', '\\{1, 2, 3\\}').kind).toBe('wrong');
  });

  it('turns internal faults into error outcomes instead of throwing', () => {
    const r = judgeMath('1', `${'\\sqrt{'.repeat(60)}1${'}'.repeat(60)}`);
    expect(['correct', 'wrong', 'unparseable', 'error']).toContain(r.kind);
  });
});

describe('judgeInput', () => {
  it('extracts from a full response and explains missing </think>', () => {
    expect(judgeInput({ gold: '3', response: '<think>2?</think> It is \\boxed{3}.' }).kind).toBe('correct');
    const r = judgeInput({ gold: '3', response: 'It is \\boxed{3}.' });
    expect(r).toMatchObject({ kind: 'unparseable', rule: 'extract' });
    expect(r.reason).toContain('</think>');
  });
});

describe('canParseAnswer', () => {
  it('accepts what the verifier can compare and rejects what it cannot', () => {
    expect(canParseAnswer('\\frac{1}{2}')).toBe(true);
    expect(canParseAnswer('\\text{Evelyn}')).toBe(true);
    expect(canParseAnswer('(-\\infty, 2) \\cup (3, \\infty)')).toBe(true);
    expect(canParseAnswer('')).toBe(false);
    expect(canParseAnswer('\\overline{CD}')).toBe(false);
    expect(canParseAnswer('\\frac{1}{')).toBe(false);
  });
});
