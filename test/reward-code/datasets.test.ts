// Real problems from the shared datasets through the code verifier. In npm test: all of
// MBJSP (canonical solutions against the expected pass list, and a broken variant of each
// passing one), a seeded sample of LeetCodeDataset v0.3.1 references and their broken
// variants, every contest / CodeContests problem against a wrong program, and a seeded
// sample of single cases run one by one. The full sets run in test/long/code-datasets.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { missingDatasetReason } from '../../ops/datasets.ts';
import { Rng } from '../../ops/rng.ts';
import {
  brokenVariant,
  CODE_DATASETS,
  loadCodeContestsTest,
  loadLeetCodeContest2023,
  loadLeetCodeV031Test,
  loadMbjsp,
  loadMbjspPassIds,
  mbjspNumber,
  wrongProgram,
  type CodeProblem,
} from '../../ops/reward/code/datasets.ts';
import { CodeVerifierPool } from '../../ops/reward/code/pool.ts';
import { sandboxProblem } from '../../ops/reward/code/py-runner.ts';
import type { CodeTests } from '../../ops/reward/code/types.ts';
import { tallyVerdicts } from '../support/tally.ts';

const skipReason = (...rels: string[]): string | null => {
  const r = rels.map(missingDatasetReason).find((x) => x !== null) ?? null;
  if (r) console.warn(`skipping: ${r}`);
  return r;
};
const noSandbox = sandboxProblem();
if (noSandbox) console.warn(`skipping Python dataset suites: ${noSandbox}`);


/** One single-case test set per chosen case, so every chosen case must run to its own failure. */
export function singleCases(p: CodeProblem, idx: number[]): CodeTests[] {
  return idx.map((i) => ({ ...p.tests, cases: [p.tests.cases[i]] }) as CodeTests);
}

describe.skipIf(skipReason(CODE_DATASETS.mbjsp, CODE_DATASETS.mbjspPassIds) !== null)('MBJSP (JavaScript)', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 2, pyWorkers: 0 });
  afterAll(() => pool.close());

  it('canonical solutions pass exactly as mbjsp_canonical_pass_ids.json says; broken variants fail', async () => {
    const problems = loadMbjsp();
    const passIds = loadMbjspPassIds();
    expect(problems.length).toBe(966);
    const withRef = problems.filter((p) => p.reference !== null);
    const verdicts = await Promise.all(withRef.map((p) => pool.verify({ language: 'javascript', code: p.reference as string, tests: p.tests })));
    const passing = withRef.filter((_, i) => verdicts[i].kind === 'correct');
    const passed = new Set(passing.map((p) => mbjspNumber(p.id)));
    expect([...passed].sort((a, b) => a - b)).toEqual([...passIds].sort((a, b) => a - b));
    console.log(`MBJSP: ${withRef.length} canonical solutions, ${passed.size} pass (expected ${passIds.size}); ${problems.length - withRef.length} rows without one`);
    const broken = await Promise.all(passing.map((p) => pool.verify({ language: 'javascript', code: brokenVariant(p.reference as string, 'javascript', p.entryPoint as string), tests: p.tests })));
    expect(tallyVerdicts(broken)).toEqual({ 'wrong/wrong_answer': passing.length });
  });
});

describe.skipIf(noSandbox !== null || skipReason(CODE_DATASETS.leetcodeV031Test) !== null)('LeetCodeDataset v0.3.1 test (Python), seeded sample', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 0, pyWorkers: 2, perTestMs: 20_000, totalMs: 120_000 });
  afterAll(() => pool.close());

  it('reference solutions pass all their tests; broken variants fail', async () => {
    const all = loadLeetCodeV031Test();
    expect(all.length).toBe(228);
    const sample = new Rng(5).shuffle([...all]).slice(0, 12);
    const refs = await Promise.all(sample.map((p) => pool.verify({ language: 'python', code: p.reference as string, tests: p.tests })));
    expect(refs.map((v, i) => `${sample[i].id}: ${v.kind} ${v.passed}/${v.total}`)).toEqual(sample.map((p) => `${p.id}: correct ${p.tests.cases.length}/${p.tests.cases.length}`));
    const broken = await Promise.all(sample.map((p) => pool.verify({ language: 'python', code: brokenVariant(p.reference as string, 'python', p.entryPoint as string), tests: p.tests })));
    expect(tallyVerdicts(broken)).toEqual({ 'wrong/wrong_answer': sample.length });
  });
});

describe.skipIf(noSandbox !== null || skipReason(CODE_DATASETS.leetcodeContest2023, CODE_DATASETS.codeContestsTest) !== null)('sets without solutions (Python)', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 0, pyWorkers: 2 });
  afterAll(() => pool.close());

  for (const [name, load, cases] of [
    ['LeetCode contest 2023', loadLeetCodeContest2023, 18_000],
    ['CodeContests test', loadCodeContestsTest, 1_837],
  ] as const) {
    it(`${name}: every problem loads and a wrong program fails it; sampled single cases each run and fail`, async () => {
      const problems = load();
      expect(problems.reduce((s, p) => s + p.tests.cases.length, 0)).toBe(cases);
      const verdicts = await Promise.all(problems.map((p) => pool.verify({ language: 'python', code: wrongProgram(p), tests: p.tests })));
      expect(tallyVerdicts(verdicts)).toEqual({ 'wrong/wrong_answer': problems.length });
      // Single cases from a seeded sample: each must run to its own check and fail there.
      const rng = new Rng(11);
      const picks = new Rng(12).shuffle([...problems]).slice(0, 12);
      const singles = picks.flatMap((p) => singleCases(p, [rng.int(0, p.tests.cases.length - 1)]).map((tests) => ({ p, tests })));
      const sv = await Promise.all(singles.map(({ p, tests }) => pool.verify({ language: 'python', code: wrongProgram(p), tests })));
      expect(tallyVerdicts(sv)).toEqual({ 'wrong/wrong_answer': singles.length });
    });
  }
});
