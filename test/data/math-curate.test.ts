// `configs/curate/math.json` end to end on the real datasets, with the real math verifier
// checking gold answers: counts per filter and per benchmark in the report, and no
// benchmark problem left in the curated output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CurateConfig } from '../../ops/data/config.ts';
import { curate } from '../../ops/data/pipeline.ts';
import { readSource } from '../../ops/data/read.ts';
import { mathAnswerChecker } from '../../ops/data/verifiers.ts';
import { missingDatasetReason, repoRoot } from '../../ops/datasets.ts';

const config = CurateConfig.parse(JSON.parse(readFileSync(`${repoRoot()}/configs/curate/math.json`, 'utf8')));
const reason = [...config.sources, ...config.benchmarks].map((s) => missingDatasetReason(s.file)).find((r) => r !== null) ?? null;
if (reason) console.warn(`skipping math curation test: ${reason}`);

describe.skipIf(reason)('ace curate configs/curate/math.json', async () => {
  const { tasks, report } = reason ? ({} as Awaited<ReturnType<typeof curate>>) : await curate(config, { answerChecker: mathAnswerChecker });

  it('reads every row and reports the malformed ones with file and line', () => {
    expect(report.sources.map((s) => [s.name, s.rows, s.problems, s.malformed])).toEqual([
      ['math_train', 7474, 7470, 4],
      ['math_test', 5000, 5000, 0],
      ['aime_1983_2023', 975, 975, 0],
    ]);
    expect(report.sources[0].issues.map((i) => [i.line, i.reason])).toEqual([
      [5318, 'missing-field'],
      [6056, 'missing-field'],
      [31970, 'missing-field'],
      [31982, 'missing-field'],
    ]);
  });

  it('counts every filter and every benchmark, and the stages add up', () => {
    expect(Object.keys(report.filters)).toEqual(['multipleChoice', 'trueFalse', 'proof', 'multiPart', 'figure', 'nonEnglish', 'longAnswer', 'complexAnswer', 'shortPrompt', 'unparseableAnswer']);
    const filtered = report.stages.find((s) => s.stage === 'filters')!;
    expect(Object.values(report.filters).reduce((s, f) => s + f.dropped, 0)).toBe(filtered.dropped);
    expect(report.filters.multipleChoice.matched).toBeGreaterThan(100);
    expect(Object.keys(report.decontamination.perBenchmark)).toEqual(['math500', 'aime24', 'aime25', 'amc23']);
    for (let i = 1; i < report.stages.length; i++) expect(report.stages[i].in).toBe(report.stages[i - 1].out);
    expect(report.output.tasks).toBe(tasks.length);
    expect(report.decontamination.perSource.math_test).toBeGreaterThan(400);
  });

  it('leaves no benchmark problem in the curated tasks', () => {
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
    const out = new Set(tasks.map((t) => norm(t.prompt)));
    for (const b of config.benchmarks) {
      const leaked = readSource(b, { promptOnly: true }).problems.filter((p) => out.has(norm(p.prompt)));
      expect(leaked.map((p) => p.id), b.name).toEqual([]);
    }
  });
});
