// Full dataset runs of the code verifier (npm run test:long): every LeetCodeDataset v0.3.1
// test reference solution and its broken variant, and every single test case of the LeetCode
// contest 2023 and CodeContests sets run on its own against a wrong program (so each case is
// shown to load, run and fail at its own check). Limits are generous: the references include
// slow Python solutions and the machine is shared.
import { afterAll, describe, expect, it } from 'vitest';
import { missingDatasetReason } from '../../ops/datasets.ts';
import { brokenVariant, CODE_DATASETS, loadCodeContestsTest, loadLeetCodeContest2023, loadLeetCodeV031Test, wrongProgram } from '../../ops/reward/code/datasets.ts';
import { CodeVerifierPool } from '../../ops/reward/code/pool.ts';
import { sandboxProblem } from '../../ops/reward/code/py-runner.ts';
import type { CodeTests } from '../../ops/reward/code/types.ts';
import { tallyVerdicts } from '../support/tally.ts';

const missing = [CODE_DATASETS.leetcodeV031Test, CODE_DATASETS.leetcodeContest2023, CODE_DATASETS.codeContestsTest].map(missingDatasetReason).find((r) => r !== null) ?? sandboxProblem();
if (missing) console.warn(`skipping long code dataset runs: ${missing}`);


describe.skipIf(missing !== null)('code datasets, full', () => {
  const pool = new CodeVerifierPool({ jsWorkers: 0, pyWorkers: 2, perTestMs: 60_000, totalMs: 600_000, queueLimit: 100_000 });
  afterAll(() => pool.close());

  it('LeetCodeDataset v0.3.1 test: all 228 references pass every test; all broken variants fail', async () => {
    const problems = loadLeetCodeV031Test();
    const t0 = performance.now();
    const refs = await Promise.all(problems.map((p) => pool.verify({ language: 'python', code: p.reference as string, tests: p.tests })));
    const slowest = refs.map((v, i) => [problems[i].id, v.timings.runMs] as const).sort((a, b) => b[1] - a[1]).slice(0, 3);
    console.log(`v0.3.1 references: ${JSON.stringify(tallyVerdicts(refs))}, ${refs.reduce((s, v) => s + v.passed, 0)} tests passed, ${((performance.now() - t0) / 1000).toFixed(1)} s; slowest ${JSON.stringify(slowest)}`);
    expect(refs.filter((v) => v.kind !== 'correct').map((v, i) => `${problems[i].id}: ${JSON.stringify(v.firstFailure)}`)).toEqual([]);
    const broken = await Promise.all(problems.map((p) => pool.verify({ language: 'python', code: brokenVariant(p.reference as string, 'python', p.entryPoint as string), tests: p.tests })));
    console.log(`v0.3.1 broken variants: ${JSON.stringify(tallyVerdicts(broken))}`);
    expect(tallyVerdicts(broken)).toEqual({ 'wrong/wrong_answer': problems.length });
  });

  for (const [name, load] of [
    ['LeetCode contest 2023', loadLeetCodeContest2023],
    ['CodeContests test', loadCodeContestsTest],
  ] as const) {
    it(`${name}: every single test case runs and fails a wrong program`, async () => {
      const problems = load();
      const singles = problems.flatMap((p) => p.tests.cases.map((c) => ({ p, tests: { ...p.tests, cases: [c] } as CodeTests })));
      const t0 = performance.now();
      const verdicts = await Promise.all(singles.map(({ p, tests }) => pool.verify({ language: 'python', code: wrongProgram(p), tests })));
      console.log(`${name}: ${problems.length} problems, ${singles.length} cases: ${JSON.stringify(tallyVerdicts(verdicts))}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      expect(tallyVerdicts(verdicts)).toEqual({ 'wrong/wrong_answer': singles.length });
    });
  }
});
