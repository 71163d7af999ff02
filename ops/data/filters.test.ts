import { describe, expect, it } from 'vitest';
import { answerParts, matchFilters, resolveFilterConfig, type AnswerChecker } from './filters.ts';
import type { Problem } from './task.ts';

const p = (prompt: string, answer = '5', domain: 'math' | 'code' = 'math'): Problem => ({ id: 't', source: 's', domain, origin: { file: 'f', line: 1 }, prompt, answer, meta: {} });
const checker: AnswerChecker = { canParse: (s) => !s.includes('??') };
const ctx = { config: resolveFilterConfig(), checker };
const hits = (prompt: string, answer?: string) => matchFilters(p(prompt, answer), ctx);

describe('filters', () => {
  it('keep an ordinary problem', () => {
    expect(hits('What is the sum of the first $10$ positive integers?', '55')).toEqual([]);
  });
  it('multiple choice: lettered options, "enter the letter", a letter answer', () => {
    expect(hits('Which is largest? $\\textbf{(A)}\\ 1 \\qquad \\textbf{(B)}\\ 2 \\qquad \\textbf{(C)}\\ 3 \\qquad \\textbf{(D)}\\ 4$')).toContain('multipleChoice');
    expect(hits('Which graph is $y = |f(x)|$? Enter the letter of the correct graph.', '\\text{D}')).toContain('multipleChoice');
    expect(hits('Points (A) and (B) lie on a line; how far apart are they?')).not.toContain('multipleChoice');
  });
  it('true/false and yes/no', () => {
    expect(hits('True or false: every prime is odd.', '\\text{False}')).toContain('trueFalse');
    expect(hits('Is 91 prime?', 'No')).toContain('trueFalse');
  });
  it('proofs, but not the word in a story', () => {
    expect(hits('Prove that there are infinitely many primes.')).toContain('proof');
    expect(hits('Show that $n^2 + n$ is even for every integer $n$.')).toContain('proof');
    expect(hits('Will the census show that the number of wrens drops below 10%? In what year?', '2009')).not.toContain('proof');
  });
  it('several sub-questions', () => {
    expect(hits('A ball is dropped.\n(a) How long does it fall? (b) How fast is it at impact?')).toContain('multiPart');
    expect(hits('Let $f(a) = b$ and $f(b) = 3b$. Find $f(f(a))$.')).not.toContain('multiPart');
  });
  it('figure references without the figure; embedded [asy] is kept by default', () => {
    expect(hits('In the diagram, what is the measure of angle $ABC$?')).toContain('figure');
    expect(hits('In the diagram, what is angle $ABC$? [asy] draw((0,0)--(1,0)); [/asy]')).not.toContain('figure');
    expect(matchFilters(p('What is angle $ABC$? [asy] draw((0,0)--(1,0)); [/asy]'), { ...ctx, config: resolveFilterConfig({ dropAsymptote: true }) })).toContain('figure');
    expect(hits('A figure is made by joining the points $A$ and $B$. How long is it?')).not.toContain('figure');
  });
  it('non-English text', () => {
    expect(hits('求所有满足 $x^2 = 4$ 的实数 $x$ 的和。')).toContain('nonEnglish');
    expect(hits('Trouvez la somme des racines réelles de cette équation quadratique donnée ici avec soin.')).toContain('nonEnglish');
    expect(hits('Find the sum of the real roots of $x^2 - 5x + 6 = 0$.')).not.toContain('nonEnglish');
  });
  it('over-long and complex answers', () => {
    expect(hits('Find the interval.', '\\left( -\\frac{9}{2} , -2 \\right) \\cup \\left( \\frac{1 - \\sqrt{5}}{2}, \\frac{1 + \\sqrt{5}}{2} \\right)')).toContain('longAnswer');
    expect(hits('List the roots.', '1, 2, -2, -3')).toContain('complexAnswer');
    expect(hits('On which day?', '\\text{Monday}')).toContain('complexAnswer');
    expect(hits('How many meals?', '8\\text{ meals}')).not.toContain('complexAnswer');
    expect(answerParts('(1,2), (3,4)')).toBe(2);
  });
  it('too-short prompts and unparseable gold answers', () => {
    expect(hits('Compute.')).toContain('shortPrompt');
    expect(hits('What is the value of $x$ here?', '??')).toEqual(['unparseableAnswer']);
  });
  it('math-only filters do not apply to code', () => {
    expect(matchFilters(p('Write a function that proves nothing and returns 1 (a) or (b).', '', 'code'), ctx)).toEqual([]);
  });
});
