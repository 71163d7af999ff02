// Long run (npm run test:long): the whole `ace curate configs/curate/code-mbjsp.json`, every
// MBJSP problem with its reference check and 12 mutants, through the real code verifier.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CurateConfig } from '../../ops/data/config.ts';
import { curate } from '../../ops/data/pipeline.ts';
import { ProcessCodeRunner } from '../../ops/data/process-runner.ts';
import { summarize } from '../../ops/data/report.ts';
import { missingDatasetReason, repoRoot } from '../../ops/datasets.ts';

const config = CurateConfig.parse(JSON.parse(readFileSync(`${repoRoot()}/configs/curate/code-mbjsp.json`, 'utf8')));
const reason = missingDatasetReason('code/mbjsp.jsonl.gz');
if (reason) console.warn(`skipping MBJSP long run: ${reason}`);

describe.skipIf(reason)('ace curate code-mbjsp (full)', () => {
  const runner = new ProcessCodeRunner(config.codeChecks!.concurrency, config.codeChecks!.perTestMs);
  afterAll(() => runner.close());

  it('counts and lists reference failures and weak tests for all 966 problems', async () => {
    const { tasks, report } = await curate(config, { codeRunner: runner });
    process.stderr.write(summarize(report));
    const code = report.code!;
    expect(code.referenceFailures).toHaveLength(141);
    expect(code.noReference).toHaveLength(28);
    expect(code.checked).toBe(938);
    expect(code.weakTests.length).toBeGreaterThan(0);
    const dropped = report.stages.find((s) => s.stage === 'codeChecks')!.dropped;
    expect(dropped).toBe(code.referenceFailures.length + code.weakTests.length - code.weakTestCounts.possiblyEquivalent);
    expect(code.weakTestCounts.confirmed + code.weakTestCounts.possiblyEquivalent + code.weakTestCounts.unchecked).toBe(code.weakTests.length);
    expect(tasks).toHaveLength(966 - dropped);
  });
});
