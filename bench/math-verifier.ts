// `ace bench math-verifier [--json] [--rounds N] [--deadline-ms MS]`: throughput and latency
// of the math verifier on a realistic mix: dataset gold answers (MATH500, AIME, AMC, GSM8K)
// against an equal rewriting, a wrong perturbation, and a full response with </think> and
// \boxed{}, plus the labelled suite. Measures in-process (one thread), the pool with one
// worker, and the pool with two workers; then the wall time of the real CLI on a one-line file
// (`ace verify math --jsonl FILE`, start-up included: what a user calling it per file waits),
// both as `ace` runs now (the precompiled build when it is up to date) and from the sources
// (ACE_DIST=0: tsx). Progress on stderr; with --json the last stdout line is one JSON object.
// Not a correctness check (see test/reward-math).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDist } from '../bin/dist.mjs';
import { datasetPath, missingDatasetReason, readRows, repoRoot } from '../ops/datasets.ts';
import { type MathVerifyInput, judgeInput } from '../ops/reward/math/judge.ts';
import { MathVerifierPool, type MathVerdict } from '../ops/reward/math/pool.ts';
import { Rng } from '../ops/rng.ts';
import { LABELLED_PAIRS } from '../ops/reward/math/suite/labelled-pairs.ts';
import { rewriteAnswer } from '../ops/reward/math/suite/rewrite.ts';
import { z } from 'zod';
import { defineCommand } from '../tools/command.ts';
import { JSON_FLAG } from '../tools/session.ts';

const GOLD_FILES = ['math500', 'aime24', 'aime25', 'amc23', 'gsm8k_test'] as const;

function datasetGolds(): string[] {
  const golds: string[] = [];
  for (const name of GOLD_FILES) {
    const rel = `math/${name}.jsonl.gz`;
    const reason = missingDatasetReason(rel);
    if (reason) {
      process.stderr.write(`math-verifier bench: ${reason}; using the labelled suite only for ${name}\n`);
      continue;
    }
    for (const row of readRows<{ answer: unknown }>(datasetPath(rel)!)) {
      const answer = String(row.answer);
      golds.push(name === 'gsm8k_test' ? answer.split('####').pop()!.trim() : answer);
    }
  }
  return golds;
}

/** A wrong answer: the last digit changed, or a `+1` appended when there is none. */
function perturb(gold: string): string {
  const m = /(\d)(?!.*\d)/s.exec(gold);
  if (!m || m.index === undefined) return `${gold}+1`;
  return `${gold.slice(0, m.index)}${(Number(m[1]) + 1) % 10}${gold.slice(m.index + 1)}`;
}

function corpus(rng: Rng): MathVerifyInput[] {
  const cases: MathVerifyInput[] = [];
  const filler = 'Let us compute step by step. '.repeat(60); // ~1.7 kB of thinking per response
  for (const gold of datasetGolds()) {
    const equal = rewriteAnswer(gold).text;
    cases.push({ gold, pred: equal });
    cases.push({ gold, pred: perturb(gold) });
    cases.push({ gold, response: `<think>${filler}</think>\nSo the final answer is $\\boxed{${rng.next() < 0.5 ? equal : gold}}$.` });
  }
  for (const p of LABELLED_PAIRS) cases.push({ gold: p.gold, pred: p.pred });
  return rng.shuffle(cases);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function throughputPool(workers: number, cases: MathVerifyInput[], rounds: number, deadlineMs: number) {
  const bootStart = performance.now();
  const pool = new MathVerifierPool({ workers, deadlineMs });
  await pool.ready();
  const bootMs = performance.now() - bootStart;
  const verdicts: MathVerdict[] = [];
  const start = performance.now();
  for (let r = 0; r < rounds; r++) verdicts.push(...(await Promise.all(cases.map((c) => pool.verify(c)))));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return { casesPerSec: verdicts.length / seconds, verdicts, bootMs };
}

/** One `ace verify math` on a one-line file: wall ms from spawn to exit; throws unless it exits 0 with a correct verdict. */
function oneLineRun(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(repoRoot(), 'bin', 'ace.mjs'), 'verify', 'math', '--jsonl', file], { env }, (err, stdout, stderr) => {
      const ms = performance.now() - start;
      if (err) return reject(new Error(`ace verify math failed: ${err.message}\n${stderr}`));
      const verdict = JSON.parse(stdout) as MathVerdict;
      if (verdict.kind !== 'correct') return reject(new Error(`ace verify math: expected a correct verdict, got ${stdout.trim()}`));
      resolve(ms);
    });
  });
}

/** Median wall ms of `runs` one-line runs (after one unmeasured run that warms the file cache). */
async function oneLineCli(runs: number, env: NodeJS.ProcessEnv): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ace-bench-one-line-'));
  try {
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, `${JSON.stringify({ gold: '\\frac{1}{2}', pred: '0.5' })}\n`);
    await oneLineRun(file, env);
    const times: number[] = [];
    for (let k = 0; k < runs; k++) times.push(await oneLineRun(file, env));
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const command = defineCommand({
  name: 'bench math-verifier',
  summary: 'math verifier throughput and latency: in-process, a pool of one worker, a pool of two',
  flags: {
    ...JSON_FLAG,
    rounds: { schema: z.int().min(1).max(1000).default(3), help: 'timed rounds over the case mix' },
    'deadline-ms': { schema: z.int().min(10).max(600_000).default(2000), help: 'hard deadline per case, ms', value: 'MS' },
    'cli-runs': { schema: z.int().min(1).max(100).default(5), help: 'timed one-line `ace verify math` runs (median; half as many from the sources)' },
  },
  examples: ['ace bench math-verifier --json'],
  run: (f) => benchMathVerifier(f.json, f.rounds, f['deadline-ms'], f['cli-runs']),
});

async function benchMathVerifier(json: boolean, rounds: number, deadlineMs: number, cliRuns: number): Promise<number> {
  const cases = corpus(new Rng(20250401));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`math-verifier bench: ${cases.length} cases x ${rounds} rounds, deadline ${deadlineMs} ms, ${availableParallelism()} cores`);

  // In-process: the judge alone, one thread, no message passing (first round warms caches and JIT).
  for (const c of cases) judgeInput(c);
  const rules = new Map<string, number>();
  const inStart = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const j = judgeInput(c);
      if (r === 0) rules.set(`${j.kind}/${j.rule}`, (rules.get(`${j.kind}/${j.rule}`) ?? 0) + 1);
    }
  }
  const inProcess = (cases.length * rounds) / ((performance.now() - inStart) / 1000);
  log(`in-process: ${inProcess.toFixed(0)} cases/s`);

  // The labelled suite alone: the hard tail (radicals, identities, compute-engine fallbacks).
  const hard = LABELLED_PAIRS.map((p) => ({ gold: p.gold, pred: p.pred }));
  const hardStart = performance.now();
  for (let r = 0; r < rounds; r++) for (const c of hard) judgeInput(c);
  const inProcessLabelled = (hard.length * rounds) / ((performance.now() - hardStart) / 1000);
  log(`in-process, labelled suite only (${hard.length} pairs): ${inProcessLabelled.toFixed(0)} cases/s`);

  const one = await throughputPool(1, cases, rounds, deadlineMs);
  log(`pool, 1 worker: ${one.casesPerSec.toFixed(0)} cases/s (worker boot ${one.bootMs.toFixed(0)} ms)`);
  const two = await throughputPool(2, cases, rounds, deadlineMs);
  log(`pool, 2 workers: ${two.casesPerSec.toFixed(0)} cases/s (boot ${two.bootMs.toFixed(0)} ms)`);

  // The CLI on a one-line file, start-up included, as `ace` runs now and from the sources.
  const built = freshDist().ok;
  const cliNow = await oneLineCli(cliRuns, process.env);
  log(`ace verify math, one-line file: ${cliNow.toFixed(0)} ms wall (median of ${cliRuns}, ${built ? 'the precompiled build in dist/' : 'the sources through tsx: dist/ is missing or out of date'})`);
  const cliSources = await oneLineCli(Math.max(1, Math.ceil(cliRuns / 2)), { ...process.env, ACE_DIST: '0' });
  log(`ace verify math, one-line file, from the sources (ACE_DIST=0, tsx): ${cliSources.toFixed(0)} ms wall (median of ${Math.max(1, Math.ceil(cliRuns / 2))})`);

  const latencies = two.verdicts.map((v) => v.elapsedMs).sort((a, b) => a - b);
  const timeouts = [...one.verdicts, ...two.verdicts].filter((v) => v.kind === 'timeout').length;
  const result = {
    bench: 'math-verifier',
    cases: cases.length,
    rounds,
    cores: availableParallelism(),
    deadlineMs,
    casesPerSec: {
      inProcess: Math.round(inProcess),
      inProcessLabelledOnly: Math.round(inProcessLabelled),
      oneWorker: Math.round(one.casesPerSec),
      pool2: Math.round(two.casesPerSec),
    },
    p50Ms: Number(percentile(latencies, 0.5).toFixed(3)),
    p99Ms: Number(percentile(latencies, 0.99).toFixed(3)),
    maxMs: Number(latencies[latencies.length - 1].toFixed(3)),
    workerBootMs: Math.round(one.bootMs),
    oneLineCliMs: Math.round(cliNow),
    oneLineCliFrom: built ? 'dist' : 'sources',
    oneLineCliMsFromSources: Math.round(cliSources),
    timeouts,
    outcomes: Object.fromEntries([...rules].sort((a, b) => b[1] - a[1])),
  };
  log(`latency (pool of 2, dispatch to verdict): p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms; timeouts ${timeouts}`);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
