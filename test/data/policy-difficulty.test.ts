// The difficulty stage with a real policy: k samples per problem from a checkpoint through
// the generator, judged by the math verifier (here a tiny random policy on synthetic tasks).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMathTasks } from '../../ops/tasks/math.ts';
import { tinyPolicy } from '../support/tiny-policy.ts';
import { runAce } from '../../tools/harness/up.ts';

describe('curation difficulty from a policy checkpoint', () => {
  it('samples k attempts per problem and reports the solved histogram', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ace-curate-policy-'));
    const tasks = generateMathTasks({ seed: 9, split: 'train', count: 12, levels: [5] });
    writeFileSync(join(dir, 'tasks.jsonl'), tasks.map((t) => JSON.stringify({ question: `Please answer this. ${t.question}`, gold: t.gold })).join('\n'));
    const config = {
      name: 'synthetic',
      domain: 'math',
      seed: 1,
      sources: [{ name: 'synthetic', file: join(dir, 'tasks.jsonl'), domain: 'math', fields: { prompt: 'question', answer: 'gold' } }],
      benchmarks: [],
      answerCheck: 'math-verifier',
      difficulty: { k: 2, dropUnsolved: false, solver: { kind: 'policy', checkpoint: tinyPolicy(1, 192) } },
      outDir: join(dir, 'out'),
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const r = await runAce(['curate', join(dir, 'config.json')], 300_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/difficulty \(policy:checkpoint:.*, k=2\): histogram 0:\d+ 1:\d+ 2:\d+/);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'synthetic.report.json'), 'utf8'));
    const hist: number[] = report.difficulty.histogram;
    expect(hist).toHaveLength(3);
    expect(hist.reduce((s, h) => s + h, 0)).toBe(12);
  });
});
