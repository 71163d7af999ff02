import { describe, expect, it } from 'vitest';
import { stripAsymptote, tokenize, Vocab } from './normalize.ts';

describe('tokenize', () => {
  it('makes each math segment one token, without spaces, braces or backslashes', () => {
    expect(tokenize('Let $f(x) = x^3 + \\dfrac{1}{2}$ and \\[ y = 2. \\] Done, 1,000 apples.')).toEqual(['let', 'f(x)=x^3+frac12', 'and', 'y=2', 'done', '1000', 'apples']);
  });
  it('gives two spellings of one problem the same tokens', () => {
    const a = 'Find $\\left(\\tfrac{1}{2}\\right)^{2}$, and $x \\leq 3$.';
    const b = 'FIND $(\\frac12)^2$, AND $x\\le 3$.';
    expect(tokenize(a)).toEqual(tokenize(b));
  });
  it('reads \\$ as the word dollar, not a math delimiter', () => {
    expect(tokenize('He earns $\\$$60 a day.')).toEqual(['he', 'earns', 'dollar', '60', 'a', 'day']);
  });
  it('strips Asymptote figure code', () => {
    expect(stripAsymptote('Area? [asy] draw((0,0)--(1,1)); [/asy] Done.')).toBe('Area?   Done.');
  });
});

describe('Vocab', () => {
  it('maps tokens to dense ids and back', () => {
    const v = new Vocab();
    const ids = v.encode('the cat and the hat');
    expect([...ids]).toEqual([0, 1, 2, 0, 3]);
    expect(v.decode(ids, 1, 4)).toBe('cat and the');
    expect(v.size).toBe(4);
  });
});
