// RolloutJudge: math and code rollouts give the outcome and reward the verifier publishes
// (pinned literally: the shape verdicts had before the judge was shared with reverify).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outcome, Reward } from '../../contracts/verdict.ts';
import { SLOW_SET_PAIR } from '../../test/support/math-pool.ts';
import { type Judgement, type JudgeInput, JudgeSettings, RolloutJudge } from './judge.ts';

const fence = '```';
const addTests = { format: 'function', fnName: 'add', cases: [{ args: [1, 2], expected: 3 }, { args: [-5, 5], expected: 0 }] };
const program = (body: string) => `<think>plan</think>\n${fence}js\n${body}\n${fence}`;

describe('RolloutJudge', () => {
  let judge: RolloutJudge;
  beforeAll(async () => {
    judge = new RolloutJudge(JudgeSettings.parse({}));
    await judge.ready();
  });
  afterAll(() => judge.close());

  const cases: [string, JudgeInput, Judgement][] = [
    [
      'math correct',
      { domain: 'math', gold: '3', response: '<think>..</think> \\boxed{3}' },
      { outcome: { kind: 'correct', reason: 'normalized strings match', rule: 'string', detail: { gold: '3', pred: '3' } }, reward: 1 },
    ],
    [
      'math wrong',
      { domain: 'math', gold: '3', response: '<think>..</think> \\boxed{4}' },
      { outcome: { kind: 'wrong', reason: 'different exact values', rule: 'exact', detail: { gold: '3', pred: '4' } }, reward: 0 },
    ],
    [
      'math unparseable',
      { domain: 'math', gold: '3', response: 'no think tag \\boxed{3}' },
      { outcome: { kind: 'unparseable', reason: 'no </think> in response: the answer section is missing', rule: 'extract', detail: { gold: '3', pred: '' } }, reward: 0 },
    ],
    [
      'math with a gold answer that does not parse (unscorable)',
      { domain: 'math', gold: '\\frac{1}{', response: '<think>..</think> \\boxed{1}' },
      { outcome: { kind: 'error', reason: "gold answer cannot be parsed: expected '}' but found 'end'", rule: 'parse', detail: { gold: '\\frac{1}{', pred: '1' } }, reward: null },
    ],
    [
      'code passing every test',
      { domain: 'code', tests: addTests, response: program('function add(a, b) { return a + b; }') },
      { outcome: { kind: 'correct', reason: 'passed 2/2', detail: { passed: 2, total: 2, firstFailure: null } }, reward: 1 },
    ],
    [
      'code failing a test',
      { domain: 'code', tests: addTests, response: program('function add(a, b) { return a > 0 ? a + b : 1; }') },
      {
        outcome: { kind: 'wrong', reason: 'test 1: wrong_answer', detail: { passed: 1, total: 2, firstFailure: { test: 1, reason: 'wrong_answer', expected: '0', actual: '1' } } },
        reward: 0,
      },
    ],
    [
      'code without a program',
      { domain: 'code', tests: addTests, response: 'no code here' },
      { outcome: { kind: 'unparseable', reason: 'no fenced code block', detail: { passed: 0, total: 2, firstFailure: null } }, reward: 0 },
    ],
  ];

  it.each(cases)('%s', async (_, input, expected) => {
    const got = await judge.judge(input);
    expect(got).toEqual(expected);
    // What the verdict contract accepts, unchanged by parsing.
    expect(Outcome.parse(got.outcome)).toEqual(got.outcome);
    expect(Reward.parse(got.reward)).toBe(got.reward);
  });

  it('judges with its own settings: the math deadline', async () => {
    const quick = new RolloutJudge(JudgeSettings.parse({ mathDeadlineMs: 300 }));
    try {
      await quick.ready();
      const got = await quick.judge({ domain: 'math', gold: SLOW_SET_PAIR.gold, response: `<think>..</think> \\boxed{${SLOW_SET_PAIR.pred}}` });
      expect(got).toMatchObject({ outcome: { kind: 'timeout', reason: 'no verdict within 300 ms; worker terminated', rule: 'deadline' }, reward: null });
    } finally {
      await quick.close();
    }
  });

  it('a code-only judge starts no math workers; a math rollout would start them', async () => {
    const code = new RolloutJudge(JudgeSettings.parse({}), ['code']);
    try {
      await code.ready();
      expect(code.started()).toEqual([]);
      expect((await code.judge(cases[4][1])).reward).toBe(1);
      expect(code.started()).toEqual(['code']);
      expect((await code.judge(cases[0][1])).reward).toBe(1);
      expect(code.started()).toEqual(['math', 'code']);
    } finally {
      await code.close();
    }
    expect(judge.started()).toContain('math'); // the default judge (both domains) starts math up front
  });
});
