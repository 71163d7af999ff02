// Hostile inputs through the worker pool (issue 4 acceptance): deep nesting, giant
// exponents and factorials, megabyte strings, unbalanced braces. Each returns within the
// deadline (plus scheduling slack) with a clear outcome, and the pool keeps serving.
import { describe, expect, it } from 'vitest';
import type { OutcomeKind } from '../../contracts/outcome.ts';
import type { MathVerifyInput } from '../../ops/reward/math/judge.ts';
import { SLOW_SET_PAIR, useMathPool } from '../support/math-pool.ts';

const DEADLINE_MS = 1000;
/** Time for the pool's timer to fire and the verdict to travel back; not a performance bound. */
const SLACK_MS = 1000;
const MB = 1 << 20;

type Case = { name: string; input: MathVerifyInput; kinds: OutcomeKind[] };

const CASES: Case[] = [
  { name: 'giant exponent tower', input: { gold: '10^{10^{10}}', pred: '10^{10^{10}}+1' }, kinds: ['wrong'] },
  { name: 'exponent tower vs small', input: { gold: '2', pred: '10^{10^{10^{10}}}' }, kinds: ['wrong'] },
  { name: 'exact tower 2^65536', input: { gold: '2', pred: '2^{2^{2^{2^{2}}}}' }, kinds: ['wrong'] },
  { name: 'huge factorial', input: { gold: '5', pred: '(10^{6})!' }, kinds: ['wrong'] },
  { name: 'factorial tower', input: { gold: '5', pred: '((100!)!)!' }, kinds: ['wrong'] },
  { name: 'scientific-notation bomb', input: { gold: '1', pred: '1e999999999' }, kinds: ['wrong'] },
  { name: 'huge binomial', input: { gold: '1', pred: '\\binom{10^{9}}{5 \\cdot 10^{8}}' }, kinds: ['wrong'] },
  { name: 'power of a polynomial', input: { gold: '(x+1)^{1000000}', pred: '(x+1)^{1000001}' }, kinds: ['wrong'] },
  { name: '100k nested parentheses', input: { gold: '1', pred: `${'('.repeat(100_000)}1${')'.repeat(100_000)}` }, kinds: ['unparseable'] },
  { name: '3000 nested fractions', input: { gold: '1', pred: `${'\\frac{1}{'.repeat(3000)}1${'}'.repeat(3000)}` }, kinds: ['unparseable'] },
  { name: '100 nested groups (past the depth limit)', input: { gold: '1', pred: `${'{'.repeat(100)}1${'}'.repeat(100)}` }, kinds: ['unparseable', 'correct'] },
  { name: 'megabyte of thinking', input: { gold: '1', response: `<think>${'x'.repeat(MB)}</think>\\boxed{1}` }, kinds: ['correct'] },
  { name: 'megabyte answer section without a box', input: { gold: '1', response: `</think>${'1+'.repeat(MB / 2)}` }, kinds: ['unparseable'] },
  { name: 'megabyte inside \\boxed', input: { gold: '1', response: `</think>\\boxed{${'1+'.repeat(MB / 2)}1}` }, kinds: ['unparseable'] },
  { name: 'megabyte of \\boxed{ openings', input: { gold: '1', response: `</think>${'\\boxed{'.repeat(MB / 8)}` }, kinds: ['unparseable'] },
  { name: '100k boxed answers', input: { gold: '3', response: `</think>${'\\boxed{1} '.repeat(100_000)}\\boxed{3}` }, kinds: ['correct'] },
  { name: 'megabyte bare answer', input: { gold: '1', pred: 'a'.repeat(MB) }, kinds: ['wrong', 'unparseable'] },
  { name: 'megabyte of nested \\text{', input: { gold: '1', pred: '\\text{'.repeat(MB / 8) }, kinds: ['unparseable'] },
  { name: 'unbalanced \\boxed', input: { gold: '\\frac{1}{2}', response: '</think>\\boxed{\\frac{1}{2}' }, kinds: ['unparseable'] },
  { name: 'unbalanced pred', input: { gold: '7', pred: '}}7{{' }, kinds: ['unparseable'] },
  { name: 'unbalanced gold', input: { gold: '\\frac{1}{', pred: '1' }, kinds: ['error'] },
  { name: 'control characters', input: { gold: '1', pred: '\u0000\u0007\uffff' }, kinds: ['unparseable'] },
  {
    name: 'expansion work far past the deadline',
    input: SLOW_SET_PAIR,
    kinds: ['timeout'],
  },
];

describe('hostile inputs', () => {
  const f = useMathPool(DEADLINE_MS);

  it('each returns within the deadline with a clear outcome', async () => {
    const verdicts = await Promise.all(CASES.map((c) => f.pool.verify(c.input)));
    const report = CASES.map((c, k) => `${c.name}: ${verdicts[k].kind}/${verdicts[k].rule} in ${verdicts[k].elapsedMs.toFixed(0)} ms (${verdicts[k].reason.slice(0, 80)})`);
    console.log(report.join('\n'));
    CASES.forEach((c, k) => {
      const v = verdicts[k];
      expect(c.kinds, c.name).toContain(v.kind);
      expect(v.reason.length, c.name).toBeGreaterThan(0);
      expect(v.elapsedMs, c.name).toBeLessThan(DEADLINE_MS + SLACK_MS);
    });
  });

  it('keeps serving afterwards', async () => {
    const v = await f.pool.verify({ gold: '\\frac{3}{4}', pred: '0.75' });
    expect(v).toMatchObject({ kind: 'correct', reward: 1, rule: 'exact' });
  });
});
