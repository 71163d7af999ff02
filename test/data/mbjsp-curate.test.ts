// MBJSP through the code checks with the real code verifier: reference-solution failures
// are counted and listed (they must be exactly the complement of the dataset's own
// pass list), and weak tests are found by mutants that pass every test.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCodeProblems } from '../../ops/data/code-checks.ts';
import { CurateConfig } from '../../ops/data/config.ts';
import { mutants } from '../../ops/data/mutate.ts';
import { ProcessCodeRunner } from '../../ops/data/process-runner.ts';
import { readSource } from '../../ops/data/read.ts';
import { datasetPath, missingDatasetReason, readRows, repoRoot } from '../../ops/datasets.ts';

const config = CurateConfig.parse(JSON.parse(readFileSync(`${repoRoot()}/configs/curate/code-mbjsp.json`, 'utf8')));
const reason = missingDatasetReason('code/mbjsp.jsonl.gz') ?? missingDatasetReason('code/mbjsp_canonical_pass_ids.json');
if (reason) console.warn(`skipping MBJSP curation test: ${reason}`);

describe.skipIf(reason)('MBJSP code checks', () => {
  const runner = new ProcessCodeRunner(2, 1000);
  afterAll(() => runner.close());
  const problems = reason ? [] : readSource(config.sources[0]).problems;
  const num = (id: string) => Number(id.slice(id.lastIndexOf('_') + 1));

  it('lists the reference solutions that fail their own tests: exactly those off the pass list', async () => {
    const r = await checkCodeProblems(problems, runner, { mutantsPerProblem: 0, concurrency: 4 });
    const passIds = new Set(readRows<number>(datasetPath('code/mbjsp_canonical_pass_ids.json')!));
    expect(problems).toHaveLength(966);
    expect(r.noReference).toHaveLength(28);
    expect(r.referenceFailures).toHaveLength(141);
    const failing = new Set([...r.referenceFailures.map((f) => num(f.id)), ...r.noReference.map(num)]);
    for (const p of problems) expect(failing.has(num(p.id)), p.id).toBe(!passIds.has(num(p.id)));
    expect(r.referenceFailures.every((f) => f.kind === 'wrong' && f.detail !== undefined)).toBe(true);
  });

  it('flags weak tests with a surviving mutant that really passes every test, confirmed by differential inputs', async () => {
    const subset = problems.filter((p) => p.reference !== undefined).slice(0, 40);
    const r = await checkCodeProblems(subset, runner, { mutantsPerProblem: 6, concurrency: 2, seed: 11 });
    const mutantsOf = (i: number) => mutants(subset[i].reference!, { max: 6, seed: 11 ^ i, region: [subset[i].prompt.length, subset[i].reference!.length] });
    const failed = new Set(r.referenceFailures.map((f) => f.id));
    const expectedRuns = subset.reduce((s, p, i) => s + (failed.has(p.id) ? 0 : mutantsOf(i).length), 0);
    expect(r.mutants.run).toBe(expectedRuns);
    expect(r.mutants.killed + r.mutants.unscorable + r.weakTests.reduce((s, w) => s + w.survivors, 0)).toBe(expectedRuns);
    expect(r.weakTests.length).toBeGreaterThan(0);
    const c = r.weakTestCounts;
    expect(c.confirmed + c.possiblyEquivalent + c.unchecked).toBe(r.weakTests.length);
    expect(c.confirmed).toBeGreaterThan(0);
    for (const w of r.weakTests.filter((x) => x.confirmed)) expect(w.witness).toContain('reference and program differ on');
    for (const w of r.weakTests) {
      const i = subset.findIndex((p) => p.id === w.id);
      const p = subset[i];
      const m = mutantsOf(i).find(
        (x) => x.operator === w.example.operator && x.line === w.example.line && x.after === w.example.after,
      )!;
      expect(m.code).not.toBe(p.reference);
      expect((await runner.run({ language: 'javascript', code: m.code, tests: p.tests })).kind, w.id).toBe('correct');
    }
  });
});
