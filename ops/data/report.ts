// Output of a curation run: the curated JSONL, the report as JSON, and a readable summary
// (counts per stage, per filter, per benchmark, and a few examples of each). Formatting
// only; the numbers come from pipeline.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CurateReport, CurateResult } from './pipeline.ts';

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const num = (s: number, n: number) => String(s).padStart(n);
const clip = (s: string, n = 110) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
};

export function summarize(r: CurateReport): string {
  const out: string[] = [];
  out.push(`curate ${r.name} (${r.domain}): ${r.output.tasks} tasks in ${(r.durationMs / 1000).toFixed(1)} s`);
  out.push('', 'sources');
  for (const s of [...r.sources, ...r.benchmarks.map((b) => ({ ...b, name: `${b.name} (benchmark)` }))]) {
    out.push(`  ${pad(s.name, 28)} rows ${num(s.rows, 6)}  read ${num(s.problems, 6)}  malformed ${num(s.malformed, 4)}`);
    for (const i of s.issues.slice(0, 3)) out.push(`    ${i.file}:${i.line}: ${i.reason}: ${clip(i.message, 80)}`);
  }
  out.push('', 'stages');
  for (const s of r.stages) out.push(`  ${pad(s.stage, 16)} in ${num(s.in, 6)}  out ${num(s.out, 6)}  dropped ${num(s.dropped, 6)}${s.skipped ? `  (skipped: ${s.skipped})` : ''}`);
  out.push('', 'filters (matched / dropped first)');
  for (const [name, f] of Object.entries(r.filters)) {
    out.push(`  ${pad(name, 18)} ${num(f.matched, 5)} / ${num(f.dropped, 5)}`);
    for (const e of f.examples) out.push(`    - ${e.id}: ${clip(e.prompt, 90)}${e.answer !== undefined ? `  [answer: ${clip(e.answer, 40)}]` : ''}`);
  }
  out.push('', `de-duplication: exact ${r.dedup.counts.exact}, near ${r.dedup.counts.near}, url ${r.dedup.counts.url}`);
  for (const p of r.dedup.pairs.slice(0, 5)) out.push(`    - ${p.kind}: ${p.droppedId} duplicates ${p.keptId}${p.jaccard !== undefined ? ` (jaccard ${p.jaccard})` : ''}`);
  const d = r.decontamination;
  out.push('', `decontamination (${d.n}-grams; stop-list ${d.stopList.length} n-grams seen in benchmarks; ${d.suppressedPairs} pairs matched only boilerplate)`);
  for (const [name, b] of Object.entries(d.perBenchmark)) out.push(`  ${pad(name, 18)} benchmark items ${num(b.size, 4)}  hit ${num(b.itemsHit, 4)}  pool problems flagged ${num(b.poolFlagged, 5)}`);
  out.push(`  flagged per pool source: ${Object.entries(d.perSource).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  for (const p of d.pairs.slice(0, 8)) out.push(`    - ${p.poolId} ~ ${p.benchmarkId} (${p.sharedNgrams} shared): "${clip(p.ngram, 70)}"`);
  if (d.stopList.length > 0) out.push('  top stop-listed n-grams:');
  for (const s of d.stopList.slice(0, 5)) out.push(`    - df ${num(s.docFreq, 4)}: "${clip(s.ngram, 70)}"`);
  if (r.code) {
    const c = r.code;
    const w = c.weakTestCounts;
    out.push('', `code checks: ${c.checked} with a reference; reference failures ${c.referenceFailures.length}; weak tests ${c.weakTests.length} (confirmed by a differential input ${w.confirmed}, possibly equivalent mutants ${w.possiblyEquivalent}, unchecked ${w.unchecked}); no reference ${c.noReference.length}`);
    out.push(`  mutants run ${c.mutants.run}, killed ${c.mutants.killed}, unscorable ${c.mutants.unscorable}; survived by operator: ${Object.entries(c.mutants.byOperator).map(([k, v]) => `${k} ${v.survived}/${v.run}`).join(', ')}`);
    for (const f of c.referenceFailures.slice(0, 5)) out.push(`    - reference fails: ${f.id} ${f.kind} ${f.passed}/${f.total}${f.detail ? ` ${clip(f.detail, 60)}` : ''}`);
    for (const x of [...c.weakTests.filter((t) => t.confirmed === true).slice(0, 4), ...c.weakTests.filter((t) => t.confirmed !== true).slice(0, 2)]) {
      const tag = x.confirmed === true ? 'confirmed' : x.confirmed === false ? 'possibly equivalent' : 'unchecked';
      out.push(`    - weak tests (${tag}): ${x.id} ${x.survivors}/${x.mutantsTried} mutants survive, e.g. ${x.example.operator} line ${x.example.line}: ${clip(x.example.before, 40)} => ${clip(x.example.after, 40)}`);
      if (x.witness) out.push(`        ${clip(x.witness, 100)}`);
    }
  }
  if (r.difficulty) {
    const q = r.difficulty;
    out.push('', `difficulty (${q.solver}, k=${q.k}): histogram ${q.histogram.map((h, i) => `${i}:${h}`).join(' ')}; unsolved ${q.unsolved}, too easy ${q.tooEasy}`);
    for (const e of q.examples) out.push(`    - ${e.id} ${e.note}: ${clip(e.prompt, 80)}`);
  }
  out.push('', `output: ${r.output.tasks} tasks (${Object.entries(r.output.perSource).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  return out.join('\n') + '\n';
}

/** Write <name>.jsonl, <name>.report.json and <name>.summary.txt into dir; returns their paths. */
export function writeOutputs(result: CurateResult, dir: string): { tasks: string; report: string; summary: string } {
  mkdirSync(dir, { recursive: true });
  const name = result.report.name;
  const paths = { tasks: join(dir, `${name}.jsonl`), report: join(dir, `${name}.report.json`), summary: join(dir, `${name}.summary.txt`) };
  writeFileSync(paths.tasks, result.tasks.map((t) => JSON.stringify(t)).join('\n') + (result.tasks.length ? '\n' : ''));
  writeFileSync(paths.report, JSON.stringify(result.report, null, 1) + '\n');
  writeFileSync(paths.summary, summarize(result.report));
  return paths;
}
