// The curation pipeline: read -> filters -> de-duplication -> decontamination -> code
// checks -> difficulty -> curated tasks, with a report that counts every stage and
// samples examples. Verifiers and solvers come in as interfaces (Deps), so this file
// runs the same with the real verifiers, a recorded solver or, later, a policy.
// Writes nothing; see writeOutputs in report.ts.
import { Rng } from '../rng.ts';
import { checkCodeProblems, type CodeCheckResult, type CodeRunner } from './code-checks.ts';
import { CurateConfig, type CurateConfigResolved } from './config.ts';
import { decontaminate, type ContaminationPair, type DecontamResult } from './decontam.ts';
import { dedup, type DedupResult, type DupPair } from './dedup.ts';
import { estimateDifficulty, type DifficultyResult, type Solver } from './difficulty.ts';
import { matchFilters, type AnswerChecker, type FilterName } from './filters.ts';
import { Vocab } from './normalize.ts';
import { readSource, type ReadIssue } from './read.ts';
import { toCuratedTask, type CuratedTask, type Problem } from './task.ts';
import { CodedError } from '../errors.ts';

export type Deps = { answerChecker?: AnswerChecker; codeRunner?: CodeRunner; solver?: Solver };

export type Example = { id: string; prompt: string; answer?: string; note?: string };
export type StageCount = { stage: string; in: number; out: number; dropped: number; skipped?: string };

export type CurateReport = {
  name: string;
  domain: string;
  config: CurateConfigResolved;
  durationMs: number;
  sources: { name: string; file: string; rows: number; problems: number; malformed: number; issues: ReadIssue[] }[];
  benchmarks: { name: string; file: string; rows: number; problems: number; malformed: number; issues: ReadIssue[] }[];
  stages: StageCount[];
  /** Per filter: problems it matches, problems it dropped first (config order), examples. */
  filters: Record<string, { matched: number; dropped: number; examples: Example[] }>;
  dedup: { counts: DedupResult['counts']; pairs: DupPair[] };
  decontamination: {
    n: number;
    perBenchmark: DecontamResult['perBenchmark'];
    /** Pool problems flagged per pool source. */
    perSource: Record<string, number>;
    pairs: ContaminationPair[];
    suppressedPairs: number;
    suppressedExamples: ContaminationPair[];
    stopList: DecontamResult['stopList'];
    windows: number;
  };
  code?: Omit<CodeCheckResult, 'dropped'> & { checked: number };
  difficulty?: Omit<DifficultyResult, 'solved' | 'dropped'> & { unsolved: number; tooEasy: number; examples: Example[] };
  output: { tasks: number; perSource: Record<string, number> };
};

export type CurateResult = { tasks: CuratedTask[]; report: CurateReport };

export class CurateError extends CodedError<'missing-dependency' | 'domain-mismatch'> {}

function example(p: Problem, note?: string): Example {
  const prompt = p.prompt.length > 300 ? `${p.prompt.slice(0, 300)}…` : p.prompt;
  return { id: p.id, prompt, ...(p.answer !== undefined ? { answer: p.answer } : {}), ...(note !== undefined ? { note } : {}) };
}

function sample<T>(items: readonly T[], k: number, rng: Rng): T[] {
  if (items.length <= k) return [...items];
  return rng.shuffle([...items]).slice(0, k);
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

export async function curate(input: CurateConfig, deps: Deps = {}): Promise<CurateResult> {
  const t0 = performance.now();
  const config = CurateConfig.parse(input);
  const rng = new Rng(config.seed);
  const stages: StageCount[] = [];
  const step = (stage: string, before: number, after: number, skipped?: string) =>
    stages.push({ stage, in: before, out: after, dropped: before - after, ...(skipped !== undefined ? { skipped } : {}) });

  // 1. read
  const reads = config.sources.map((s) => readSource(s));
  const benchReads = config.benchmarks.map((s) => readSource(s, { promptOnly: true }));
  for (const r of [...reads, ...benchReads]) {
    for (const p of r.problems) {
      if (p.domain !== config.domain) throw new CurateError('domain-mismatch', `source ${r.source} is ${p.domain}, the config is ${config.domain}`);
    }
  }
  let pool: Problem[] = reads.flatMap((r) => r.problems);
  const rows = reads.reduce((s, r) => s + r.rows, 0);
  step('read', rows, pool.length);

  // 2. filters
  const useChecker = config.domain === 'math' && config.answerCheck === 'math-verifier';
  if (useChecker && !deps.answerChecker) throw new CurateError('missing-dependency', 'answerCheck is math-verifier but no AnswerChecker was given');
  const filterCfg = config.filters;
  const ctx = { config: filterCfg, ...(useChecker && deps.answerChecker ? { checker: deps.answerChecker } : {}) };
  const filters: CurateReport['filters'] = {};
  const matchedBy = new Map<FilterName, Problem[]>();
  const firstBy = new Map<FilterName, number>();
  const enabled = filterCfg.enabled.filter((f) => f !== 'unparseableAnswer' || useChecker);
  const kept: Problem[] = [];
  for (const p of pool) {
    const hits = matchFilters(p, { ...ctx, config: { ...filterCfg, enabled } });
    for (const h of hits) {
      if (!matchedBy.has(h)) matchedBy.set(h, []);
      matchedBy.get(h)!.push(p);
    }
    if (hits.length === 0) kept.push(p);
    else firstBy.set(hits[0], (firstBy.get(hits[0]) ?? 0) + 1);
  }
  for (const f of enabled) {
    const m = matchedBy.get(f) ?? [];
    filters[f] = { matched: m.length, dropped: firstBy.get(f) ?? 0, examples: sample(m, config.examplesPerStage, rng).map((p) => example(p)) };
  }
  step('filters', pool.length, kept.length);
  pool = kept;

  // 3. de-duplication (before decontamination, so that the stop-list's document
  //    frequencies count distinct problems)
  const vocab = new Vocab();
  const dd = dedup(
    pool.map((p) => ({ id: p.id, text: p.prompt, ...(config.domain === 'math' && p.answer !== undefined ? { answer: p.answer } : {}), ...(p.url !== undefined ? { url: p.url } : {}) })),
    { ...config.dedup, seed: config.dedup.seed ^ config.seed },
    vocab,
  );
  const dropDup = new Set(dd.dropped);
  const afterDedup = pool.filter((_, i) => !dropDup.has(i));
  step('dedup', pool.length, afterDedup.length);
  pool = afterDedup;

  // 4. decontamination
  const bench = benchReads.flatMap((r) => r.problems);
  const dc = decontaminate(
    pool.map((p) => ({ id: p.id, source: p.source, text: p.prompt })),
    bench.map((p) => ({ id: p.id, source: p.source, text: p.prompt })),
    config.decontamination,
    vocab,
  );
  const flagged = new Set(dc.flagged);
  const afterDecon = pool.filter((_, i) => !flagged.has(i));
  step('decontamination', pool.length, afterDecon.length, bench.length === 0 ? 'no benchmarks configured' : undefined);
  pool = afterDecon;

  // 5. code checks
  let code: CurateReport['code'];
  if (config.domain === 'code' && config.codeChecks) {
    if (!deps.codeRunner) throw new CurateError('missing-dependency', 'codeChecks need a CodeRunner (the code verifier)');
    const cc = await checkCodeProblems(pool, deps.codeRunner, { ...config.codeChecks, seed: config.codeChecks.seed ^ config.seed });
    const drop = new Set(cc.dropped);
    const after = pool.filter((_, i) => !drop.has(i));
    const { dropped: _d, ...rest } = cc;
    code = { ...rest, checked: pool.length - cc.noReference.length };
    step('codeChecks', pool.length, after.length);
    pool = after;
  } else if (config.domain === 'code') step('codeChecks', pool.length, pool.length, 'codeChecks not configured');

  // 6. difficulty
  let difficulty: CurateReport['difficulty'];
  let levels: number[] | undefined;
  let k = 0;
  if (config.difficulty) {
    if (!deps.solver) throw new CurateError('missing-dependency', 'the difficulty stage needs a Solver');
    const { solver: _s, ...dcfg } = config.difficulty;
    const r = await estimateDifficulty(pool, deps.solver, dcfg);
    const drop = new Map(r.dropped.map((d) => [d.index, d.reason]));
    const examples = sample(r.dropped, config.examplesPerStage, rng).map((d) => example(pool[d.index], `${d.reason}: ${r.solved[d.index]}/${r.k}`));
    levels = r.solved.filter((_, i) => !drop.has(i));
    k = r.k;
    difficulty = {
      solver: r.solver,
      k: r.k,
      histogram: r.histogram,
      unsolved: r.dropped.filter((d) => d.reason === 'unsolved').length,
      tooEasy: r.dropped.filter((d) => d.reason === 'tooEasy').length,
      examples,
    };
    const after = pool.filter((_, i) => !drop.has(i));
    step('difficulty', pool.length, after.length);
    pool = after;
  } else step('difficulty', pool.length, pool.length, 'difficulty not configured');

  const tasks = pool.map((p, i) => toCuratedTask(p, levels ? { k, solved: levels[i] } : undefined));
  const srcInfo = (r: (typeof reads)[number]) => ({ name: r.source, file: r.file, rows: r.rows, problems: r.problems.length, malformed: r.issues.length, issues: r.issues });
  const report: CurateReport = {
    name: config.name,
    domain: config.domain,
    config,
    durationMs: Math.round(performance.now() - t0),
    sources: reads.map(srcInfo),
    benchmarks: benchReads.map(srcInfo),
    stages,
    filters,
    dedup: { counts: dd.counts, pairs: dd.pairs },
    decontamination: {
      n: config.decontamination.n,
      perBenchmark: dc.perBenchmark,
      perSource: countBy(dc.flagged, (d) => afterDedup[d].source),
      pairs: dc.pairs,
      suppressedPairs: dc.suppressed.length,
      suppressedExamples: sample(dc.suppressed, 10, rng),
      stopList: dc.stopList,
      windows: dc.windows,
    },
    ...(code ? { code } : {}),
    ...(difficulty ? { difficulty } : {}),
    output: { tasks: tasks.length, perSource: countBy(tasks, (t) => t.source) },
  };
  return { tasks, report };
}
