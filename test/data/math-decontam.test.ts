// Decontamination on the real math pool (MATH train + MATH test + AIME 1983-2023) against
// MATH500, AIME 2024/2025 and AMC 2023: known contaminated pairs are flagged, stock
// phrases are not. Skips with a visible reason when the datasets are absent.
import { describe, expect, it } from 'vitest';
import { decontaminate, type TextDoc } from '../../ops/data/decontam.ts';
import { mathCurateSources, promptDocs } from '../../ops/data/math-pool.ts';
import { missingDatasetReason } from '../../ops/datasets.ts';

const { pool: POOL, benchmarks: BENCH } = mathCurateSources();
const reason = [...POOL, ...BENCH].map((s) => missingDatasetReason(s.file)).find((r) => r !== null) ?? null;
if (reason) console.warn(`skipping real-data decontamination tests: ${reason}`);

const docs = promptDocs;

// Problems written for this test around stock phrases that real benchmark problems also use.
const PROBES: TextDoc[] = [
  { id: 'probe:relprime', source: 'probe', text: 'A box holds 4 red and 6 blue chips, and two chips are drawn at random. The probability that both are red is $\\frac{m}{n}$, where $m$ and $n$ are relatively prime positive integers. Find $m+n$.' },
  { id: 'probe:remainder', source: 'probe', text: 'A frog makes seven hops along a number line, each of length 1 or 2. Let $N$ be the number of distinct hop sequences that end at 10. Find the remainder when $N$ is divided by $1000$.' },
  { id: 'probe:decimal', source: 'probe', text: 'A cyclist rides 17 miles in 83 minutes. What is her average speed in miles per hour? Express your answer as a decimal to the nearest tenth.' },
  { id: 'probe:product', source: 'probe', text: 'A spinner with eight equal sectors numbered 1 through 8 is spun twice. What is the probability that the product of the two numbers is odd? Express your answer as a common fraction.' },
];

describe.skipIf(reason)('decontamination of the real math pool', () => {
  // A skipped suite still has its body collected: read the datasets only when they are there.
  const r = reason ? ({ pairs: [], suppressed: [], stopList: [], perBenchmark: {} } as unknown as ReturnType<typeof decontaminate>) : decontaminate([...docs(POOL), ...PROBES], docs(BENCH), { n: 9 });
  const pairKeys = new Set(r.pairs.map((p) => `${p.poolId} ${p.benchmarkId}`));

  it('flags every MATH500 problem through its copy in the full MATH test split', () => {
    const hit = new Set(r.pairs.filter((p) => p.poolSource === 'math_test' && p.benchmark === 'math500').map((p) => p.benchmarkId));
    expect(hit.size).toBe(500);
  });

  it('flags known contaminated pairs, each with its shared n-gram', () => {
    const known = [
      ['math_test:18', 'math500:test_algebra_1035.json'], // treeks and squigs, MATH500 is a subset of MATH test
      ['math_test:6', 'math500:test_algebra_101.json'],
      ['math_train:3304', 'math500:test_geometry_702.json'], // a MATH train problem repeated in MATH test
      ['aime_1983_2023:454', 'math500:test_counting_and_probability_1003.json'], // an AIME problem inside MATH500
      ['aime_1983_2023:177', 'math500:test_intermediate_algebra_582.json'],
      ['aime_1983_2023:744', 'math500:test_intermediate_algebra_345.json'],
    ];
    for (const [poolId, benchId] of known) expect(pairKeys.has(`${poolId} ${benchId}`), `${poolId} ~ ${benchId}`).toBe(true);
    const treeks = r.pairs.find((p) => p.poolId === 'math_test:18')!;
    expect(treeks.ngram).toBe('ten treeks weigh as much as three squigs and');
    expect(treeks.sharedNgrams).toBeGreaterThan(20);
  });

  it('does not flag problems that share only stock phrases with a benchmark', () => {
    for (const probe of PROBES) {
      expect(r.pairs.filter((p) => p.poolId === probe.id), probe.id).toEqual([]);
      // ...although each of them does share an n-gram with some benchmark problem.
      expect(r.suppressed.some((p) => p.poolId === probe.id), `${probe.id} shares a stock n-gram`).toBe(true);
    }
    const stop = new Set(r.stopList.map((s) => s.ngram));
    expect(stop.has('where m and n are relatively prime positive integers')).toBe(true);
    expect(stop.has('express your answer as a decimal to the nearest')).toBe(true);
  });

  it('reports counts per benchmark', () => {
    expect(Object.keys(r.perBenchmark)).toEqual(['math500', 'aime24', 'aime25', 'amc23']);
    expect(r.perBenchmark.math500.size).toBe(500);
    expect(r.perBenchmark.aime24.size).toBe(30);
    expect(r.perBenchmark.amc23.size).toBe(40);
    expect(r.perBenchmark.math500.poolFlagged).toBeGreaterThanOrEqual(500);
  });
});
