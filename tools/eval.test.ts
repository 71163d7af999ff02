// The evaluation path of `ace eval` and `ace train` without a model: a teacher that replays
// its own solutions goes through the held-out draw, the prompt template, the response cap,
// the tokenizer round trip and the RolloutJudge, and must score every sample correct.
import { afterAll, describe, expect, it } from 'vitest';
import type { Domain } from '../contracts/common.ts';
import { encode, TOKEN } from '../ops/model/tokenizer.ts';
import { type EvalReport, evaluateTasks, type Policy } from '../ops/recipe/evaluate.ts';
import { promptTokens } from '../ops/recipe/template.ts';
import { RolloutJudge } from '../ops/reward/judge.ts';
import { generateCodeTasks } from '../ops/tasks/code.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { comparisonTable, DEFAULT_MAX_NEW_TOKENS, heldoutTasks } from './eval.ts';

const SEED = 2024;

/** Answers each prompt with the teacher's solution and <eos>, cut at maxNewTokens like a Generator. */
function teacher(solutions: Map<string, string>, maxSeqLen = 256): Policy {
  return {
    options: { maxSeqLen },
    async sample(prompts, opts = {}) {
      const cap = opts.maxNewTokens ?? 128;
      const full = prompts.map((p) => {
        const solution = solutions.get(p.join(','));
        if (solution === undefined) throw new Error('prompt of no known task');
        return Int32Array.from([...encode(solution), TOKEN.eos]);
      });
      return { tokens: full.map((t) => t.slice(0, cap)), logprobs: full.map((t) => new Float32Array(Math.min(t.length, cap))), finished: full.map((t) => t.length <= cap) };
    },
  };
}

describe('evaluation judged end to end on teacher solutions', () => {
  const judge = new RolloutJudge({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 1, codePyWorkers: 1 });
  afterAll(() => judge.close());
  const solutions = new Map<string, string>();
  // The same draws heldoutTasks makes, with the teacher's solutions beside them.
  for (const t of generateMathTasks({ seed: SEED, split: 'heldout', count: 400 })) solutions.set(promptTokens(t.question).join(','), t.solution);
  for (const t of generateCodeTasks({ seed: SEED, split: 'heldout', count: 400 })) solutions.set(promptTokens(t.prompt).join(','), t.solution);
  const heldout = heldoutTasks({ domains: ['math', 'code'], seed: SEED, problems: 400 });

  it.each(['math', 'code'] as Domain[])('%s: every teacher sample is judged correct at the default response cap: avg@2 = pass@2 = 1, nothing truncated', async (domain) => {
    await judge.ready();
    const r: EvalReport = await evaluateTasks(teacher(solutions), (x) => judge.judge(x), heldout[domain]!, {
      k: 2,
      temperature: 0.6,
      topP: 0.95,
      maxNewTokens: DEFAULT_MAX_NEW_TOKENS[domain],
      seed: SEED,
    });
    expect(r.domain).toBe(domain);
    expect(r.outcomes).toEqual({ correct: 800 });
    expect(r.overall).toMatchObject({ problems: 400, avgAtK: 1, passAtK: 1 });
    expect(Object.keys(r.byLevel)).toEqual(['1', '2', '3', '4', '5']);
    for (const s of Object.values(r.byLevel)) expect(s).toMatchObject({ avgAtK: 1, passAtK: 1 });
    expect(r.truncatedFrac).toBe(0);
  }, 30_000);

  it('a cap below the teacher scores the cut samples wrong and counts them truncated', async () => {
    await judge.ready();
    const r = await evaluateTasks(teacher(solutions), (x) => judge.judge(x), heldout.code!.slice(0, 20), { k: 2, temperature: 0.6, topP: 0.95, maxNewTokens: 8, seed: SEED });
    expect(r.overall.avgAtK).toBe(0);
    expect(r.truncatedFrac).toBe(1);
    expect(r.meanResponseTokens).toBe(8);
  });
});

describe('heldoutTasks', () => {
  it('is fixed by the seed, per suite', () => {
    const a = heldoutTasks({ domains: ['math', 'code'], seed: 7, problems: 30 });
    const b = heldoutTasks({ domains: ['code'], seed: 7, problems: 30 });
    expect(a.code!.map((t) => t.id)).toEqual(b.code!.map((t) => t.id));
    expect(b.math).toBeUndefined();
    expect(a.math!.length).toBe(30);
    expect(heldoutTasks({ domains: ['code'], seed: 8, problems: 30 }).code!.map((t) => t.id)).not.toEqual(b.code!.map((t) => t.id));
  });

  it('more code problems than the split yields is a usage error with a HINT, not a stack', () => {
    expect(() => heldoutTasks({ domains: ['code'], seed: SEED, problems: 2000 })).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_PROBLEMS', message: expect.stringMatching(/^2000 held-out code problems asked for; .*only \d+ distinct heldout tasks exist[^]*\nHINT: /) }),
    );
  });
});

describe('comparisonTable', () => {
  const report = (domain: Domain, avg: number, levels: number[]): EvalReport => {
    const s = { problems: 2, samplesPerProblem: 2, avgAtK: avg, passAtK: Math.min(1, avg * 2), k: 2 };
    return { domain, overall: s, byLevel: Object.fromEntries(levels.map((l) => [String(l), s])), meanResponseTokens: 10 * avg, truncatedFrac: 0, outcomes: {}, samples: [] };
  };

  it('has rows per suite and one column per evaluation', () => {
    const before = { math: report('math', 0.25, [1, 2]), code: report('code', 0, [3]) };
    const after = { math: report('math', 0.5, [1, 2]), code: report('code', 0.125, [3]) };
    const table = comparisonTable([{ name: 'base', reports: before }, { name: 'after RL', reports: after }], ['math', 'code'], 2, 'metric');
    expect(table.trimEnd().split('\n')).toEqual([
      '| metric | base | after RL |',
      '|---|---|---|',
      '| math avg@2 (pass@1) | 25.0% | 50.0% |',
      '| math pass@2 | 50.0% | 100.0% |',
      '| math level 1 avg@2 | 25.0% | 50.0% |',
      '| math level 2 avg@2 | 25.0% | 50.0% |',
      '| math mean response tokens | 2.5 | 5.0 |',
      '| code avg@2 (pass@1) | 0.0% | 12.5% |',
      '| code pass@2 | 0.0% | 25.0% |',
      '| code level 3 avg@2 | 0.0% | 12.5% |',
      '| code mean response tokens | 0.0 | 1.3 |',
    ]);
  });
});
