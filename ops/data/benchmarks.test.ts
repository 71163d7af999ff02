// The real benchmarks of `ace eval` (ops/data/benchmarks.ts): prompts and the unsupported
// rule on their own, then on the shared datasets (skipped with the reason when absent): every
// benchmark loads whole, every math gold answer is read back by the math reward exactly as a
// response would carry it, and the CodeContests statements the verifier cannot judge are set
// aside. The code references run through the eval path in tools/eval.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { missingDatasetReason } from '../datasets.ts';
import { judgeInput } from '../reward/math/judge.ts';
import { BENCHMARK_NAMES, BENCHMARKS, functionQuestion, loadBenchmark, mathQuestion, stdioUnsupported } from './benchmarks.ts';

const missing = BENCHMARK_NAMES.map((n) => missingDatasetReason(BENCHMARKS[n].file)).find((r) => r !== null) ?? null;
if (missing) console.warn(`benchmark dataset tests skipped: ${missing}`);

describe('benchmark prompts', () => {
  it('math asks for the boxed answer after reasoning; code shows the header and the answer block', () => {
    expect(mathQuestion('What is $1+1$?\n')).toBe('What is $1+1$?\nPlease reason step by step, and put your final answer within \\boxed{}.');
    const q = functionQuestion('Add two numbers.', 'class Solution:\n    def add(self, a: int, b: int) -> int:\n        ');
    expect(q).toContain('Function header:\n```python\nclass Solution:\n    def add(self, a: int, b: int) -> int:\n```');
    expect(q).toMatch(/one code block:\n```python\n# your solution\n```$/);
  });

  it('a stdio statement with several accepted outputs, a tolerance or an interactor is unsupported, with why', () => {
    expect(stdioUnsupported('Output n integers.\n\nIf there are several possible answers, you may print any of them.')).toMatch(/^several outputs are accepted/);
    expect(stdioUnsupported('In case of multiple answers, print any.')).toMatch(/^several outputs are accepted/);
    expect(stdioUnsupported('Your answer is considered correct if its absolute or relative error does not exceed 10^{-6}.')).toMatch(/^real-valued output/);
    expect(stdioUnsupported('Figure out p.\n\nInteraction\n\nStart the interaction by reading n.')).toMatch(/^interactive problem/);
    expect(stdioUnsupported('Print the answer modulo 998244353.')).toBeUndefined();
  });
});

describe('a missing benchmark file', () => {
  const saved = process.env.ACE_DATASETS;
  afterEach(() => {
    if (saved === undefined) delete process.env.ACE_DATASETS;
    else process.env.ACE_DATASETS = saved;
  });

  it('is a skip with the path and the hint, not an error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'ace-nodata-'));
    process.env.ACE_DATASETS = empty;
    expect(loadBenchmark('aime24', 3)).toEqual({ name: 'aime24', domain: 'math', skipped: `dataset ${join(empty, 'math/aime24.jsonl.gz')} not found (set ACE_DATASETS)` });
  });
});

describe.skipIf(missing !== null)('benchmarks on the shared datasets', () => {
  const SIZES: Record<string, number> = { math500: 500, aime24: 30, aime25: 30, amc23: 40, gsm8k: 1319, mbpp: 500, lcb2023: 180, lcb2024: 228, codecontests: 165 };

  it('every benchmark loads whole: its size, unique ids, a question, and a gold or tests', () => {
    for (const name of BENCHMARK_NAMES) {
      const b = loadBenchmark(name);
      if (b.skipped !== null) throw new Error(b.skipped);
      expect(b.problems.length, name).toBe(SIZES[name]);
      expect(new Set(b.problems.map((p) => p.id)).size, name).toBe(b.problems.length);
      for (const p of b.problems) {
        expect(p.question.length, p.id).toBeGreaterThan(20);
        if (BENCHMARKS[name].domain === 'math') expect(p.gold, p.id).toBeTruthy();
        else expect(p.tests!.cases.length, p.id).toBeGreaterThan(0);
      }
    }
    // References where the set ships them: MBPP code, LeetCodeDataset completions.
    const mbpp = loadBenchmark('mbpp', 1);
    expect(mbpp.skipped === null && mbpp.problems[0]).toMatchObject({ id: 'mbpp/11', reference: expect.stringContaining('def remove_Occ') });
    const lcb = loadBenchmark('lcb2024', 1);
    expect(lcb.skipped === null && lcb.problems[0].reference).toContain('class Solution');
  });

  it('--limit takes the first N problems in the dataset order', () => {
    const all = loadBenchmark('math500');
    const five = loadBenchmark('math500', 5);
    if (all.skipped !== null || five.skipped !== null) throw new Error('math500 missing');
    expect(five.problems).toEqual(all.problems.slice(0, 5));
    expect(five.problems[0]).toMatchObject({ id: 'test/precalculus/807.json', level: 2, gold: '\\left( 3, \\frac{\\pi}{2} \\right)' });
  });

  it.each(['math500', 'aime24', 'aime25', 'amc23', 'gsm8k'] as const)('%s: every gold answer, boxed after </think>, is judged correct against itself', (name) => {
    const b = loadBenchmark(name);
    if (b.skipped !== null) throw new Error(b.skipped);
    const wrong = b.problems
      .map((p) => ({ p, v: judgeInput({ gold: p.gold!, response: `<think>\nworking\n</think>\nThe answer is $\\boxed{${p.gold}}$.` }) }))
      .filter(({ v }) => v.kind !== 'correct')
      .map(({ p, v }) => `${p.id}: ${p.gold} -> ${v.kind}/${v.rule}: ${v.reason}`);
    expect(wrong).toEqual([]);
    expect(b.problems.filter((p) => p.unsupported)).toEqual([]);
  });

  it('codecontests: 38 of 165 statements need a checker or an interactor and are set aside with the reason', () => {
    const b = loadBenchmark('codecontests');
    if (b.skipped !== null) throw new Error(b.skipped);
    const unsupported = b.problems.filter((p) => p.unsupported);
    expect(unsupported.length).toBe(38);
    const byId = new Map(b.problems.map((p) => [p.id, p.unsupported]));
    expect(byId.get('code_contests_test/0')).toBeUndefined();
    expect(byId.get('code_contests_test/1')).toMatch(/^real-valued output/);
    expect(byId.get('code_contests_test/14')).toMatch(/^several outputs are accepted/);
    expect(byId.get('code_contests_test/39')).toMatch(/^interactive problem/);
  });
});
