import { describe, expect, it } from 'vitest';
import { printNode } from './ast.ts';
import { MAX_ANSWER_CHARS, parseAnswer } from './parse.ts';

function p(s: string): string {
  const r = parseAnswer(s);
  if (!r.ok) throw new Error(`parse failed: ${r.reason}`);
  return printNode(r.node);
}

describe('parseAnswer', () => {
  it('reads LaTeX fractions with and without braces', () => {
    expect(p('\\frac{1}{2}')).toBe('1/2');
    expect(p('\\frac12')).toBe('1/2');
    expect(p('\\frac 34')).toBe('3/4');
    expect(p('\\frac9{19}')).toBe('9/19');
  });

  it('reads mixed numbers as sums and juxtaposition as products', () => {
    expect(p('137 \\frac{1}{2}')).toBe('137+1/2');
    expect(p('2\\sqrt{3}')).toBe('2*sqrt(3)');
    expect(p('(a+5)(b+2)')).toBe('(a+5)*(b+2)');
  });

  it('reads plain-text answers', () => {
    expect(p('sqrt(3)')).toBe('sqrt(3)');
    expect(p('pi/2')).toBe('pi/2');
    expect(p('2pi')).toBe('2*pi');
    expect(p('x**2')).toBe('x^2');
    expect(p('infinity')).toBe('inf');
  });

  it('reads decimals and scientific notation exactly', () => {
    expect(p('.0000672')).toBe('21/312500');
    expect(p('6.72e-5')).toBe('21/312500');
    expect(p('6.72 \\times 10^{-5}')).toBe('(168/25)*(10^(-5))');
  });

  it('reads structures', () => {
    expect(p('(1, 2]')).toBe('(1,2]');
    expect(p('\\{1, 2\\}')).toBe('{1,2}');
    expect(p('(-\\infty, 2) \\cup (3, \\infty)')).toBe('(-inf,2)∪(3,inf)');
    expect(p('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}')).toBe('[[1,2],[3,4]]');
    expect(p('y = 2x + 3')).toBe('y=2*x+3');
    expect(p('1 \\pm \\sqrt{19}')).toBe('1±sqrt(19)');
    expect(p('3, 5, 7')).toBe('3,5,7');
  });

  it('reads functions with powers, bases and degrees of roots', () => {
    expect(p('\\sin^2 x')).toBe('sin(x)^2');
    expect(p('\\sin^{-1} x')).toBe('arcsin(x)');
    expect(p('\\log_2 8')).toBe('log(8,2)');
    expect(p('\\sqrt[3]{2}')).toBe('root(2,3)');
    expect(p('2004!')).toBe('fact(2004)');
    expect(p('204_5')).toBe('204_5');
  });

  it('fails with a reason on broken input instead of guessing', () => {
    for (const bad of ['\\frac{1}{', 'x+', '(1,2', '}7{', '\\undefinedmacro{1}', '1//2', '()']) {
      const r = parseAnswer(bad);
      expect(r.ok, bad).toBe(false);
    }
    expect(parseAnswer('1'.repeat(MAX_ANSWER_CHARS + 1))).toEqual({ ok: false, reason: `answer longer than ${MAX_ANSWER_CHARS} characters` });
    const deep = parseAnswer(`${'('.repeat(500)}1${')'.repeat(500)}`);
    expect(deep.ok).toBe(false);
  });
});
