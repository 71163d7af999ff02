// Issue 4 acceptance on the shared datasets: every gold answer of MATH500, AIME 2024/2025,
// AMC 2023 and the GSM8K test set is equivalent to itself rewritten differently but equally,
// and the MATH test solutions' last \boxed{} agrees with MATH500's answer field.
import { describe, expect, it } from 'vitest';
import { datasetPath, missingDatasetReason, readRows } from '../../ops/datasets.ts';
import { lastBoxed } from '../../ops/reward/math/extract.ts';
import { judgeMath } from '../../ops/reward/math/judge.ts';
import { rewriteAnswer } from '../../ops/reward/math/suite/rewrite.ts';

const FILES = ['math/math500.jsonl.gz', 'math/aime24.jsonl.gz', 'math/aime25.jsonl.gz', 'math/amc23.jsonl.gz', 'math/gsm8k_test.jsonl.gz', 'math/math_test_full.jsonl.gz'];
const missing = FILES.map(missingDatasetReason).find((r) => r !== null) ?? null;
if (missing) console.warn(`dataset-golds skipped: ${missing}`);

type Row = { answer?: unknown; problem?: string; solution?: string; unique_id?: string };

function golds(): { source: string; gold: string }[] {
  const out: { source: string; gold: string }[] = [];
  const rows = (rel: string) => readRows<Row>(datasetPath(rel)!);
  for (const r of rows('math/math500.jsonl.gz')) out.push({ source: 'MATH500', gold: String(r.answer) });
  for (const name of ['aime24', 'aime25', 'amc23']) {
    for (const r of rows(`math/${name}.jsonl.gz`)) out.push({ source: name, gold: String(r.answer) });
  }
  for (const r of rows('math/gsm8k_test.jsonl.gz')) out.push({ source: 'gsm8k', gold: String(r.answer).split('####').pop()!.trim() });
  return out;
}

describe.skipIf(missing)('dataset gold answers', () => {
  it('each gold is equivalent to a different but equal rewriting of itself', () => {
    const all = golds();
    const failures: string[] = [];
    const counts = new Map<string, { total: number; ok: number }>();
    const ruleCounts = new Map<string, number>();
    for (const { source, gold } of all) {
      const rewritten = rewriteAnswer(gold);
      expect(rewritten.text, gold).not.toBe(gold);
      const r = judgeMath(gold, rewritten.text);
      const self = judgeMath(gold, gold);
      const c = counts.get(source) ?? { total: 0, ok: 0 };
      c.total++;
      if (r.kind === 'correct' && self.kind === 'correct') c.ok++;
      else failures.push(`${source}: ${gold} vs ${rewritten.text} (${rewritten.rules.join('+')}) -> ${r.kind}/${r.rule}: ${r.reason}`);
      counts.set(source, c);
      ruleCounts.set(r.rule, (ruleCounts.get(r.rule) ?? 0) + 1);
    }
    console.log(`gold self-equivalence: ${[...counts].map(([s, c]) => `${s} ${c.ok}/${c.total}`).join(', ')}`);
    console.log(`deciding rules: ${[...ruleCounts].map(([r, n]) => `${r}=${n}`).join(', ')}`);
    if (failures.length > 0) console.log(failures.join('\n'));
    expect(all.length).toBe(500 + 30 + 30 + 40 + 1319);
    expect(failures).toEqual([]);
  });

  it('MATH test solutions agree with the MATH500 answer field', () => {
    const byProblem = new Map(readRows<Row>(datasetPath('math/math_test_full.jsonl.gz')!).map((r) => [r.problem, r]));
    const mismatches: string[] = [];
    let matched = 0;
    for (const r of readRows<Row>(datasetPath('math/math500.jsonl.gz')!)) {
      const full = byProblem.get(r.problem);
      if (!full) continue;
      matched++;
      const boxed = lastBoxed(full.solution ?? '');
      const verdict = boxed.ok ? judgeMath(String(r.answer), boxed.answer) : null;
      if (verdict?.kind !== 'correct') mismatches.push(`${r.unique_id}: ${String(r.answer)} vs ${boxed.ok ? boxed.answer : boxed.reason}`);
    }
    console.log(`MATH500 vs MATH test solutions: ${matched - mismatches.length}/${matched} agree`);
    if (mismatches.length > 0) console.log(mismatches.join('\n'));
    expect(matched).toBe(500);
    expect(mismatches).toEqual([]);
  });
});
