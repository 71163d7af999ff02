// `ace bench curate [--json] [--runs N]`: decontamination throughput on the real math pool
// (MATH train + MATH test outside MATH500 + AIME 1983-2023) against every math benchmark
// (MATH500, AIME 2024, AIME 2025, AMC 2023). Timed: normalization, tokenization, n-gram
// hashing, the stop-list and verification of hits (decontaminate()), not file reading.
// Progress goes to stderr; with --json the last stdout line is one JSON object.
import { cpus } from 'node:os';
import { decontaminate, type TextDoc } from '../ops/data/decontam.ts';
import { readSource, type SourceConfig } from '../ops/data/read.ts';
import { missingDatasetReason } from '../ops/datasets.ts';

const POOL: SourceConfig[] = [
  { name: 'math_train', file: 'math/math_train.json.gz', domain: 'math', fields: { prompt: 'problem' } },
  { name: 'math_test', file: 'math/math_test_full.jsonl.gz', domain: 'math', fields: { id: 'idx', prompt: 'problem' } },
  { name: 'aime_1983_2023', file: 'math/aime_1983_2023.json.gz', domain: 'math', fields: { prompt: 'problem' } },
];
const BENCHMARKS: SourceConfig[] = [
  { name: 'math500', file: 'math/math500.jsonl.gz', domain: 'math', fields: { id: 'unique_id', prompt: 'problem' } },
  { name: 'aime24', file: 'math/aime24.jsonl.gz', domain: 'math', fields: { id: 'id', prompt: 'problem' } },
  { name: 'aime25', file: 'math/aime25.jsonl.gz', domain: 'math', fields: { id: 'id', prompt: 'problem' } },
  { name: 'amc23', file: 'math/amc23.jsonl.gz', domain: 'math', fields: { id: 'id', prompt: 'problem' } },
];

const docs = (cfgs: SourceConfig[]): TextDoc[] =>
  cfgs.flatMap((c) => readSource(c, { promptOnly: true }).problems.map((p) => ({ id: p.id, source: p.source, text: p.prompt })));

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const at = argv.indexOf('--runs');
  const runs = at >= 0 ? Number(argv[at + 1]) : 7;
  for (const c of [...POOL, ...BENCHMARKS]) {
    const reason = missingDatasetReason(c.file);
    if (reason) {
      process.stderr.write(`bench curate: skipped: ${reason}\n`);
      if (json) process.stdout.write(JSON.stringify({ bench: 'curate', skipped: reason }) + '\n');
      return 0;
    }
  }
  const bench = docs(BENCHMARKS);
  const math500 = new Set(bench.filter((b) => b.source === 'math500').map((b) => b.text.trim()));
  const all = docs(POOL);
  // The MATH test split minus its MATH500 problems (exact text), as the issue defines the pool.
  const pool = all.filter((d) => d.source !== 'math_test' || !math500.has(d.text.trim()));
  const perSource: Record<string, number> = {};
  for (const d of pool) perSource[d.source] = (perSource[d.source] ?? 0) + 1;
  process.stderr.write(`bench curate: pool ${pool.length} ${JSON.stringify(perSource)}, benchmarks ${bench.length}, ${runs} runs\n`);

  decontaminate(pool, bench); // warm-up (JIT)
  const times: number[] = [];
  let last: ReturnType<typeof decontaminate> | undefined;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    last = decontaminate(pool, bench);
    const ms = performance.now() - t0;
    times.push(ms);
    process.stderr.write(`  run ${r + 1}: ${ms.toFixed(1)} ms\n`);
  }
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor(times.length / 2)];
  const result = {
    bench: 'curate',
    what: 'decontamination of the math pool against MATH500, AIME 2024/2025, AMC 2023 (9-grams)',
    poolProblems: pool.length,
    poolPerSource: perSource,
    benchmarkProblems: bench.length,
    runs,
    medianMs: Math.round(medianMs * 10) / 10,
    minMs: Math.round(times[0] * 10) / 10,
    problemsPerSec: Math.round(pool.length / (medianMs / 1000)),
    windowsPerSec: Math.round(last!.windows / (medianMs / 1000)),
    flagged: last!.flagged.length,
    perBenchmark: last!.perBenchmark,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
  process.stdout.write(`decontamination: ${result.poolProblems} problems in ${result.medianMs} ms (median of ${runs}) = ${result.problemsPerSec} problems/s; flagged ${result.flagged}\n`);
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}
