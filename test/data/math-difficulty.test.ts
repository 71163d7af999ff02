// The difficulty stage on real problems with a real solver: MATH500 problems (gold from
// MATH500), attempts = the final answers of the official MATH solutions (from the full
// MATH test file, written independently) for the same problem and for three others,
// judged by the math verifier. The policy solver replaces this once a checkpoint exists.
import { describe, expect, it } from 'vitest';
import { estimateDifficulty } from '../../ops/data/difficulty.ts';
import { readSource } from '../../ops/data/read.ts';
import { RecordedSolver } from '../../ops/data/verifiers.ts';
import { judgeMath } from '../../ops/reward/math/judge.ts';
import { missingDatasetReason } from '../../ops/datasets.ts';

const reason = missingDatasetReason('math/math500.jsonl.gz') ?? missingDatasetReason('math/math_test_full.jsonl.gz');
if (reason) console.warn(`skipping real-data difficulty test: ${reason}`);

describe.skipIf(reason)('difficulty from recorded attempts judged by the math verifier', () => {
  it('solves each problem with its own official answer and not with unrelated ones', async () => {
    const m500 = readSource({ name: 'math500', file: 'math/math500.jsonl.gz', domain: 'math', fields: { id: 'unique_id', prompt: 'problem', answer: 'answer' } }).problems.slice(0, 60);
    const full = readSource({ name: 'math_test', file: 'math/math_test_full.jsonl.gz', domain: 'math', fields: { id: 'idx', prompt: 'problem', answer: { lastBoxed: 'solution' } } }).problems;
    const official = new Map(full.map((p) => [p.prompt.trim(), p.answer!]));
    const own = m500.map((p) => official.get(p.prompt.trim())!);
    expect(own.every((a) => a !== undefined)).toBe(true);
    // Attempts: own answer first, then the official answers of the next three problems.
    const attempts = m500.map((p, i) => ({ taskId: p.id, answers: [own[i], own[(i + 1) % 60], own[(i + 2) % 60], own[(i + 3) % 60]] }));
    const r = await estimateDifficulty(m500, new RecordedSolver('official-answers', attempts), { k: 4 });
    // Every problem is solved by its own official answer; one more time only where a
    // neighbour's answer is equivalent to its gold.
    expect(r.dropped).toEqual([]);
    expect(r.histogram).toEqual([0, 59, 1, 0, 0]);
    const twice = r.solved.findIndex((s) => s === 2);
    const equalNeighbours = [1, 2, 3].filter((d) => judgeMath(m500[twice].answer!, own[(twice + d) % 60]).kind === 'correct');
    expect(equalNeighbours).toHaveLength(1);
  });
});
