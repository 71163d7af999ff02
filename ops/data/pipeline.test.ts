// The whole pipeline on a small synthetic pool: every stage counted, outputs written.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curate, CurateError } from './pipeline.ts';
import { summarize, writeOutputs } from './report.ts';
import { CuratedTask } from './task.ts';
import { mathAnswerChecker, RecordedSolver } from './verifiers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ace-curate-'));
const poolFile = join(dir, 'pool.jsonl');
const benchFile = join(dir, 'bench.jsonl');
const rows = [
  { id: 1, q: 'A train travels 120 miles in 3 hours at a constant speed. How many miles does it travel in 5 hours?', a: '200' },
  { id: 2, q: 'A train travels 120 miles in 3 hours at a constant speed. How many miles does it travel in 5 hours?', a: '200' },
  { id: 3, q: 'Which is largest? (A) 1 (B) 2 (C) 3 (D) 4', a: 'D' },
  { id: 4, q: 'Ten treeks weigh as much as three squigs and one goolee. How many treeks weigh as much as one squig?', a: '3' },
  { id: 5, q: 'What is the least common multiple of 12, 18 and 30 when all are positive?', a: '180' },
  { id: 6, q: 'How many positive divisors does 36 have, counting 1 and 36 themselves?', a: '9' },
];
writeFileSync(poolFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n{"id": 7, "q": broken\n');
writeFileSync(benchFile, JSON.stringify({ id: 'b1', problem: 'Ten treeks weigh as much as three squigs and one goolee. How many treeks weigh as much as one squig?' }) + '\n');

const config = {
  name: 'toy',
  domain: 'math' as const,
  sources: [{ name: 'toy', file: poolFile, domain: 'math' as const, fields: { id: 'id', prompt: 'q', answer: 'a' } }],
  benchmarks: [{ name: 'bench', file: benchFile, domain: 'math' as const, fields: { id: 'id', prompt: 'problem' } }],
  difficulty: { k: 2, solver: { kind: 'recorded' as const, file: 'unused' } },
};
const solver = new RecordedSolver('recorded', [
  { taskId: 'toy:1', answers: ['200', '150'] },
  { taskId: 'toy:5', answers: ['90', '60'] },
  { taskId: 'toy:6', answers: ['9', '9'] },
]);

describe('curate', () => {
  it('counts every stage and writes valid tasks with their difficulty', async () => {
    const { tasks, report } = await curate(config, { answerChecker: mathAnswerChecker, solver });
    expect(report.sources[0]).toMatchObject({ rows: 7, problems: 6, malformed: 1 });
    expect(report.sources[0].issues[0]).toMatchObject({ file: poolFile, line: 7, reason: 'json' });
    expect(report.stages.map((s) => [s.stage, s.in, s.out])).toEqual([
      ['read', 7, 6],
      ['filters', 6, 5],
      ['dedup', 5, 4],
      ['decontamination', 4, 3],
      ['difficulty', 3, 2],
    ]);
    expect(report.filters.multipleChoice).toMatchObject({ matched: 1, dropped: 1 });
    expect(report.dedup.pairs).toEqual([{ kind: 'exact', keptId: 'toy:1', droppedId: 'toy:2' }]);
    expect(report.decontamination.pairs.map((p) => [p.poolId, p.benchmarkId])).toEqual([['toy:4', 'bench:b1']]);
    expect(report.difficulty).toMatchObject({ k: 2, histogram: [1, 1, 1], unsolved: 1, tooEasy: 0 });
    expect(tasks.map((t) => [t.taskId, t.gold, t.difficulty?.solved, t.meta.solved])).toEqual([
      ['toy:1', '200', 1, 1],
      ['toy:6', '9', 2, 2],
    ]);
    for (const t of tasks) expect(CuratedTask.parse(t)).toEqual(t);

    const paths = writeOutputs({ tasks, report }, join(dir, 'out'));
    expect(readFileSync(paths.tasks, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(readFileSync(paths.report, 'utf8')).stages).toHaveLength(5);
    expect(readFileSync(paths.summary, 'utf8')).toBe(summarize(report));
    expect(summarize(report)).toContain('bench              benchmark items    1  hit    1  pool problems flagged     1');
  });

  it('refuses to run a configured stage without its dependency', async () => {
    await expect(curate(config, { solver })).rejects.toBeInstanceOf(CurateError);
  });
});
