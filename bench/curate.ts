// `ace bench curate [--json] [--runs N]`: decontamination throughput on the real math pool
// (MATH train + MATH test outside MATH500 + AIME 1983-2023) against every math benchmark
// (MATH500, AIME 2024, AIME 2025, AMC 2023). Timed: normalization, tokenization, n-gram
// hashing, the stop-list and verification of hits (decontaminate()), not file reading.
// Progress goes to stderr; with --json the last stdout line is one JSON object.
import { cpus } from 'node:os';
import { decontaminate } from '../ops/data/decontam.ts';
import { mathCurateSources, promptDocs } from '../ops/data/math-pool.ts';
import { missingDatasetReason } from '../ops/datasets.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

const docs = promptDocs;

export const command = defineCommand({
  name: 'bench curate',
  summary: 'decontamination throughput of the math pool against every math benchmark (../shared/datasets)',
  flags: { ...JSON_FLAG, runs: { schema: z.int().min(1).max(1000).default(7), help: 'timed runs (the median is reported)' } },
  examples: ['ace bench curate --json'],
  run: (f) => benchCurate(f.json, f.runs),
});

async function benchCurate(json: boolean, runs: number): Promise<number> {
  const { pool: POOL, benchmarks: BENCHMARKS } = mathCurateSources();
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
