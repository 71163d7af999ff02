// The difficulty stage with real solvers: recorded attempts judged by the math verifier.
import { describe, expect, it } from 'vitest';
import { DifficultyError, estimateDifficulty, type Solver } from './difficulty.ts';
import type { Problem } from './task.ts';
import { PolicySolver, RecordedSolver, type Sampler } from './verifiers.ts';

const prob = (id: string, answer: string): Problem => ({ id, source: 'toy', domain: 'math', origin: { file: 'f', line: 1 }, prompt: `problem ${id}`, answer, meta: {} });
const problems = [prob('half', '\\frac{1}{2}'), prob('root', '2\\sqrt{2}'), prob('none', '7'), prob('easy', '(1,2)')];
const attempts = [
  { taskId: 'half', answers: ['0.5', '1/2', '\\dfrac{2}{4}', '2'] },
  { taskId: 'root', answers: ['\\sqrt{8}', '2.83', '4', '\\sqrt{2}'] },
  { taskId: 'none', answers: ['6', '8', '', '\\frac{7}{2}'] },
  { taskId: 'easy', answers: ['(1, 2)', '\\left(1,2\\right)', '(1,2)', '(2,1)'] },
];

describe('estimateDifficulty with the math verifier judging recorded answers', () => {
  it('counts equivalent answers as solved, drops unsolved and (optionally) too-easy problems', async () => {
    const solver = new RecordedSolver('recorded', attempts);
    const r = await estimateDifficulty(problems, solver, { k: 4, maxSolved: 3 });
    expect(r.solved).toEqual([3, 1, 0, 3]);
    expect(r.histogram).toEqual([1, 1, 0, 2, 0]);
    expect(r.dropped).toEqual([
      { index: 0, reason: 'tooEasy' },
      { index: 2, reason: 'unsolved' },
      { index: 3, reason: 'tooEasy' },
    ]);
  });

  it('uses only the first k attempts and fails loudly when attempts are missing', async () => {
    const solver = new RecordedSolver('recorded', attempts);
    expect((await estimateDifficulty(problems, solver, { k: 2 })).solved).toEqual([2, 1, 0, 2]);
    await expect(estimateDifficulty([prob('other', '1')], solver, { k: 2 })).rejects.toThrow(/no recorded attempts for other/);
  });

  it('rejects a solver that returns counts outside 0..k', async () => {
    const broken: Solver = { name: 'broken', solve: async (ps) => ps.map(() => 9) };
    await expect(estimateDifficulty(problems, broken, { k: 4 })).rejects.toBeInstanceOf(DifficultyError);
  });
});

describe('PolicySolver', () => {
  it('judges sampled responses (the answer is the last \\boxed after </think>)', async () => {
    const replay: Sampler = {
      name: 'replay',
      sample: async (prompts, n) =>
        prompts.map((p) =>
          Array.from({ length: n }, (_, i) => (p === 'problem half' ? `<think>hmm</think> so \\boxed{${i % 2 === 0 ? '\\frac{2}{4}' : '3'}}` : 'no think tag \\boxed{7}')),
        ),
    };
    const r = await estimateDifficulty([problems[0], problems[2]], new PolicySolver(replay), { k: 4 });
    expect(r.solver).toBe('policy:replay');
    expect(r.solved).toEqual([2, 0]);
  });
});
