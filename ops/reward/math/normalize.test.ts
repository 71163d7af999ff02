import { describe, expect, it } from 'vitest';
import { compact, normalizeAnswer } from './normalize.ts';

const n = (s: string) => normalizeAnswer(s).s;

describe('normalizeAnswer', () => {
  it('rewrites LaTeX spelling variants', () => {
    expect(n('\\dfrac{1}{2}')).toBe('\\frac{1}{2}');
    expect(n('\\tfrac{1}{2}')).toBe('\\frac{1}{2}');
    expect(n('\\left( 1, 2 \\right]')).toBe('( 1, 2 ]');
    expect(n('\\displaystyle 5')).toBe('5');
    expect(n('$5$')).toBe('5');
  });

  it('drops degrees, percent, dollars and units after a value', () => {
    expect(n('30^\\circ')).toBe('30');
    expect(n('30^{\\circ}')).toBe('30');
    expect(n('25\\%')).toBe('25');
    expect(n('\\$18.90')).toBe('18.90');
    expect(n('15\\mbox{ cm}^2')).toBe('15');
    expect(n('5.4 \\text{ cents}')).toBe('5.4');
    expect(n('12 square units')).toBe('12');
  });

  it('keeps degrees as pi/180 inside trigonometric functions', () => {
    expect(n('\\cos 30^\\circ')).toBe('\\cos 30\\cdot\\frac{\\pi}{180}');
  });

  it('removes thousands separators without touching lists', () => {
    expect(n('7,425,000')).toBe('7425000');
    expect(n('11,\\!111')).toBe('11111');
    expect(n('11,\\! 111,\\! 111,\\! 100')).toBe('11111111100');
    expect(n('28{,}800')).toBe('28800');
    expect(n('3, 5, 7')).toBe('3, 5, 7');
    expect(n('1,23')).toBe('1,23');
  });

  it('turns connectives into commas and keeps text answers as text', () => {
    expect(n('5 \\text{ and } 7')).toBe('5 , 7');
    expect(n('6, 8\\text{, and }10')).toBe('6, 8,10');
    expect(normalizeAnswer('\\text{Evelyn}')).toEqual({ s: 'Evelyn', text: true, percent: false });
    expect(normalizeAnswer('east')).toEqual({ s: 'east', text: true, percent: false });
    expect(normalizeAnswer('25\\%')).toEqual({ s: '25', text: false, percent: true });
    expect(normalizeAnswer('sqrt(3)').text).toBe(false);
  });

  it('reduces multiple-choice forms to the letter', () => {
    expect(n('\\text{(B)}')).toBe('B');
    expect(n('(C)')).toBe('C');
  });

  it('strips an x \\in prefix and a final period', () => {
    expect(n('x \\in [-2,7]')).toBe('[-2,7]');
    expect(n('12.')).toBe('12');
  });

  it('compact keeps the space that ends a command name', () => {
    expect(compact('\\cot x + 1')).toBe('\\cot x+1');
    expect(compact('1 - 12 i')).toBe('1-12i');
  });
});
