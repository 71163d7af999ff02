// `ace eval --checkpoint PATH [--suite LIST] [-k 8] [--limit N] [--json]`: avg@k and unbiased
// pass@k of a checkpoint, sampling as the paper evaluates (temperature 0.6, top-p 0.95 by
// default), on the synthetic held-out splits (math, code: the default) and on the real
// benchmarks of ops/data/benchmarks.ts (MATH500, AIME 2024/2025, AMC 2023, GSM8K, MBPP, two
// LeetCode windows, CodeContests), read from the shared datasets folder. One table, a row per
// suite; --json prints the same as one JSON object. Also the evaluation `ace train` runs before
// and after RL: one generator and one judge for every suite of a checkpoint. A checkpoint is a
// run's step checkpoint or a bare model directory (config.json and weights, read as step 0);
// prompts go through its own tokenizer and chat template when it has them (tokenizer.json),
// else through the embedded byte-level format.
import { DEFAULT_CODE_MAX_RESPONSE_TOKENS, DEFAULT_MAX_RESPONSE_TOKENS } from '../actors/learner/config.ts';
import { Domain } from '../contracts/common.ts';
import { BENCHMARK_NAMES, BENCHMARKS, type BenchmarkName, isBenchmarkName, loadBenchmark } from '../ops/data/benchmarks.ts';
import { type Checkpoint, loadCheckpoint } from '../ops/model/checkpoint.ts';
import { Generator } from '../ops/model/generator.ts';
import { codeEvalTasks, type EvalReport, type EvalTask, evaluateTasks, type Judge, mathEvalTasks } from '../ops/recipe/evaluate.ts';
import { bytePromptFormat, checkFormatFits, modelPromptFormat, type PromptFormat, samplingIdsOf } from '../ops/recipe/template.ts';
import { CodeVerifierPool } from '../ops/reward/code/pool.ts';
import { RolloutJudge } from '../ops/reward/judge.ts';
import { generateCodeTasks } from '../ops/tasks/code.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError, JSON_FLAG } from './session.ts';

/** Which held-out suites `ace train` evaluates; `all` is math, then code. (`ace eval` takes a list: SuiteList.) */
export const EvalSuite = z.enum(['math', 'code', 'all']);
export type EvalSuite = z.infer<typeof EvalSuite>;
export const suiteDomains = (s: EvalSuite): Domain[] => (s === 'all' ? ['math', 'code'] : [s]);

/** Response cap per suite, tokens, where none is given: the RL caps (evaluateTasks lowers it for a chunk whose prompts leave less room). */
export const DEFAULT_MAX_NEW_TOKENS: Record<Domain, number> = { math: DEFAULT_MAX_RESPONSE_TOKENS, code: DEFAULT_CODE_MAX_RESPONSE_TOKENS };

/** How a checkpoint is evaluated; the defaults are the paper's sampling (T 0.6, top-p 0.95). */
export const EvalRequest = z.strictObject({
  checkpoint: z.string().default('models/base'),
  /** Suites, evaluated in this order. Default both. */
  domains: z.array(Domain).min(1).default(['math', 'code']),
  /** Samples per problem. */
  k: z.int().min(1).max(1024).default(8),
  /** Held-out problems per suite. */
  problems: z.int().min(1).max(100_000).default(200),
  /** Seed of the held-out draws and of the sampling. */
  seed: z.int().default(2024),
  temperature: z.number().min(0).max(10).default(0.6),
  topP: z.number().gt(0).max(1).default(0.95),
  /** Response cap for every suite, tokens. Default: DEFAULT_MAX_NEW_TOKENS, per suite. */
  maxNewTokens: z.int().min(1).max(65_536).optional(),
  threads: z.int().min(1).max(256).default(2),
});
export type EvalRequest = z.output<typeof EvalRequest>;
const E = EvalRequest.shape;

/** The evaluation flags, shared with `ace train` (which prefixes them with eval-). */
export const EVAL_FLAGS = {
  suite: { schema: EvalSuite.default('all'), help: 'held-out suite: math, code, or all (math, then code)' },
  k: { schema: E.k, help: 'samples per problem (avg@k, pass@k)' },
  problems: { schema: E.problems, help: 'held-out problems per suite (code: at most about 1,800)' },
  seed: { schema: E.seed, help: 'seed of the held-out draws and of the sampling' },
} as const;

/** Held-out problems per suite. */
export type HeldOut = Partial<Record<Domain, EvalTask[]>>;
/** One report per suite evaluated. */
export type EvalReports = Partial<Record<Domain, EvalReport>>;

/**
 * The held-out problems `ace eval` and `ace train` evaluate, fixed by the seed. Drawn before
 * anything starts: the code split holds about 2,700 tasks in 25 families, some of them small,
 * and a draw of more than about 1,900 runs out of distinct ones.
 */
export function heldoutTasks(r: Pick<EvalRequest, 'domains' | 'seed' | 'problems'>): HeldOut {
  const out: HeldOut = {};
  for (const d of r.domains) {
    if (d === 'math') out.math = mathEvalTasks(generateMathTasks({ seed: r.seed, split: 'heldout', count: r.problems }));
    else {
      try {
        out.code = codeEvalTasks(generateCodeTasks({ seed: r.seed, split: 'heldout', count: r.problems }));
      } catch (err) {
        throw new CliError(
          'TOO_MANY_PROBLEMS',
          `${r.problems} held-out code problems asked for; the draw with seed ${r.seed} stopped: ${(err as Error).message}\nHINT: evaluate at most about 1,800 code problems, or math alone (suite math)`,
        );
      }
    }
  }
  return out;
}

/**
 * A policy to evaluate: weights, and the prompt format of its model (default the embedded
 * byte-level format).
 */
export type LoadedPolicy = Pick<Checkpoint, 'config' | 'params'> & { format?: PromptFormat };

/**
 * A checkpoint or a bare model directory, with its prompt format (its tokenizer and chat
 * template, else the byte-level format; checked against its config). `format` given: that
 * one instead (a run's format for its step checkpoints), checked the same way.
 */
export function loadPolicy(dir: string, format?: PromptFormat): LoadedPolicy & { format: PromptFormat } {
  const ckpt = loadCheckpoint(dir, { allowModelDir: true });
  if (format) checkFormatFits(format, ckpt.config, dir);
  return { config: ckpt.config, params: ckpt.params, format: format ?? modelPromptFormat(dir, ckpt.config) };
}

/** Evaluates the checkpoint `r.checkpoint` (loadPolicy: its own prompt format unless `format` is given). */
export async function evalCheckpoint(r: EvalRequest, heldout: HeldOut, onProgress?: (domain: Domain, done: number, total: number) => void, format?: PromptFormat): Promise<EvalReports> {
  return evalLoaded(loadPolicy(r.checkpoint, format), r, heldout, onProgress);
}

/** evalCheckpoint on weights already in memory (`r.checkpoint` is not read). */
export async function evalLoaded(ckpt: LoadedPolicy, r: EvalRequest, heldout: HeldOut, onProgress?: (domain: Domain, done: number, total: number) => void): Promise<EvalReports> {
  const plans: SuitePlan[] = r.domains.filter((d) => heldout[d]).map((d) => ({ name: d, domain: d, tasks: heldout[d]!, benchmark: false }));
  const reports = await evalSuites(ckpt, r, plans, onProgress && ((name, done, total) => onProgress(name as Domain, done, total)));
  return Object.fromEntries([...reports].map(([name, rep]) => [name, rep])) as EvalReports;
}

/** One suite to evaluate: a synthetic held-out split, or a real benchmark (judged with BENCHMARK_CODE_LIMITS, each prompt its own room). */
export interface SuitePlan {
  name: string;
  domain: Domain;
  tasks: EvalTask[];
  benchmark: boolean;
}

/**
 * Limits of the code judge on real benchmarks: 6 s per test (LiveCodeBench's timeout) and 60 s
 * for all tests of one program (the LeetCode sets run about 100 asserts in one process). The
 * synthetic suites keep the RL reward's judge (4 s per test, 20 s per program).
 */
export const BENCHMARK_CODE_LIMITS = { perTestMs: 6000, totalMs: 60_000 } as const;

/** Judges of one evaluation: the RL reward's RolloutJudge, and a code pool with benchmark limits, started at its first program. */
export class EvalJudges {
  readonly rl = new RolloutJudge({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 1, codePyWorkers: 1 });
  private benchCode: CodeVerifierPool | null = null;

  judgeFor(plan: SuitePlan): Judge {
    if (!plan.benchmark || plan.domain === 'math') return (x) => this.rl.judge(x);
    return async (x) => {
      this.benchCode ??= new CodeVerifierPool({ ...BENCHMARK_CODE_LIMITS, jsWorkers: 1, pyWorkers: 2 });
      const v = await this.benchCode.verify({ response: x.response, tests: x.tests });
      const reason = v.reason ?? (v.firstFailure ? `test ${v.firstFailure.test}: ${v.firstFailure.reason}` : `passed ${v.passed}/${v.total}`);
      return { outcome: { kind: v.kind, reason, detail: { passed: v.passed, total: v.total, firstFailure: v.firstFailure } }, reward: v.reward };
    };
  }

  async close(): Promise<void> {
    await this.rl.close();
    await this.benchCode?.close();
  }
}

/** Evaluates suites in order with one generator and one set of judges: a report per suite name. */
export async function evalSuites(
  ckpt: LoadedPolicy,
  r: EvalRequest,
  plans: readonly SuitePlan[],
  onProgress?: (suite: string, done: number, total: number) => void,
): Promise<Map<string, EvalReport>> {
  if (plans.every((p) => p.tasks.length === 0)) return new Map();
  const format = ckpt.format ?? bytePromptFormat;
  if (ckpt.format) checkFormatFits(format, ckpt.config, r.checkpoint);
  const gen = await Generator.create(ckpt.config, ckpt.params, { threads: r.threads, maxBatch: 256, maxSeqLen: ckpt.config.max_position_embeddings, ...samplingIdsOf(format, ckpt.config) });
  const judges = new EvalJudges();
  try {
    await judges.rl.ready();
    const out = new Map<string, EvalReport>();
    for (const plan of plans) {
      if (plan.tasks.length === 0) continue;
      out.set(
        plan.name,
        await evaluateTasks(gen, judges.judgeFor(plan), plan.tasks, {
          k: r.k,
          temperature: r.temperature,
          topP: r.topP,
          maxNewTokens: r.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS[plan.domain],
          seed: r.seed,
          perPromptRoom: plan.benchmark,
          format,
          onProgress: onProgress && ((done, total) => onProgress(plan.name, done, total)),
        }),
      );
    }
    return out;
  } finally {
    await gen.dispose();
    await judges.close();
  }
}

/** A report's figures without its samples: the per-suite entry of `ace eval --json` and of result.json. */
export function reportFigures(r: EvalReport) {
  return {
    problems: r.overall.problems,
    avgAtK: r.overall.avgAtK,
    passAtK: r.overall.passAtK,
    byLevel: Object.fromEntries(Object.entries(r.byLevel).map(([l, s]) => [l, { problems: s.problems, avgAtK: s.avgAtK, passAtK: s.passAtK }])),
    /** Over the samples drawn; NaN (null in JSON) when no prompt fit the context. */
    meanResponseTokens: r.meanResponseTokens,
    truncatedFrac: r.truncatedFrac,
    /** Share of the samples drawn with no answer to judge (no \boxed{} after </think>, no closed code block). */
    unparseableFrac: r.sampled > 0 ? (r.outcomes.unparseable ?? 0) / r.sampled : Number.NaN,
    /** Problems not sampled: the prompt leaves no room in the model's context (scored wrong). */
    overContext: r.overContext,
    sampled: r.sampled,
    outcomes: r.outcomes,
  };
}

/** One suite's entry in `ace eval --json`. */
export type SuiteFigures = ReturnType<typeof reportFigures> & { maxNewTokens: number };

// ---- suites of `ace eval` ----------------------------------------------------------------

/** A suite `ace eval` evaluates: a synthetic held-out split (math, code) or a real benchmark. */
export type SuiteName = Domain | BenchmarkName;

/** Names that stand for several suites. */
export const SUITE_GROUPS: Record<string, readonly SuiteName[]> = {
  synthetic: ['math', 'code'],
  benchmarks: BENCHMARK_NAMES,
  all: ['math', 'code', ...BENCHMARK_NAMES],
};

/** `math500,aime24` -> the suites in the order given, groups expanded, repeats dropped; null when a name is unknown. */
export function parseSuiteList(list: string): SuiteName[] | null {
  const out: SuiteName[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase();
    const names: readonly SuiteName[] | null = SUITE_GROUPS[name] ?? (name === 'math' || name === 'code' || isBenchmarkName(name) ? [name] : null);
    if (!names) return null;
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out.length > 0 ? out : null;
}

export const SuiteList = z.string().transform((s, ctx) => parseSuiteList(s) ?? (ctx.addIssue({ code: 'custom', message: `unknown suite in '${s}'` }), z.NEVER));

const SUITE_RANGE = `comma-separated list of ${['math', 'code', ...BENCHMARK_NAMES].join('|')}, or synthetic (math,code), benchmarks (all real ones), all (both)`;

/** A benchmark row's figures: a report's, with the problems the verifier cannot judge, or why the benchmark was skipped. */
export type BenchmarkFigures =
  | { kind: 'benchmark'; title: string; file: string; skipped: string }
  | (ReturnType<typeof reportFigures> & { kind: 'benchmark'; title: string; file: string; skipped: null; maxNewTokens: number; unsupported: { id: string; reason: string }[] });

/** A benchmark whose problems are loaded: the tasks to sample and those set aside as unsupported. */
export type PreparedBenchmark = { name: BenchmarkName; skipped: string } | { name: BenchmarkName; skipped: null; tasks: EvalTask[]; unsupported: { id: string; reason: string }[] };

/** The first `limit` problems of a benchmark as evaluation tasks, or why it is skipped. */
export function prepareBenchmark(name: BenchmarkName, limit?: number): PreparedBenchmark {
  const b = loadBenchmark(name, limit);
  if (b.skipped !== null) return { name, skipped: b.skipped };
  const domain = BENCHMARKS[name].domain;
  return {
    name,
    skipped: null,
    tasks: b.problems.filter((p) => !p.unsupported).map((p) => ({ id: p.id, level: p.level, prompt: p.question, domain, gold: p.gold, tests: p.tests })),
    unsupported: b.problems.filter((p) => p.unsupported).map((p) => ({ id: p.id, reason: p.unsupported! })),
  };
}

/** A row of the results table: a suite's figures (synthetic or benchmark) or a skip. */
export type ResultRow = { suite: string; k: number; figures: SuiteFigures | BenchmarkFigures };

const share = (x: number) => (Number.isFinite(x) ? pct(x) : '-');

/**
 * The results table of `ace eval`: a row per suite (problems scored, k, avg@k, pass@k, mean
 * response tokens, share truncated, share unparseable, problems over the context, problems
 * unsupported), then a note per skipped benchmark and per kind of unsupported problem.
 */
export function resultsTable(rows: readonly ResultRow[], contextTokens: number): string {
  const lines = [
    '| suite | problems | k | avg@k | pass@k | mean response tokens | truncated | unparseable | over context | unsupported |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const notes: string[] = [];
  for (const { suite, k, figures: f } of rows) {
    if ('skipped' in f && f.skipped !== null) {
      lines.push(`| ${suite} | - | ${k} | - | - | - | - | - | - | - |`);
      notes.push(`${suite}: skipped: ${f.skipped}`);
      continue;
    }
    const unsupported = 'unsupported' in f ? f.unsupported : [];
    const scored = f.problems > 0;
    lines.push(
      `| ${suite} | ${f.problems} | ${k} | ${scored ? pct(f.avgAtK) : '-'} | ${scored ? pct(f.passAtK) : '-'} | ${Number.isFinite(f.meanResponseTokens) ? f.meanResponseTokens.toFixed(1) : '-'} | ${share(f.truncatedFrac)} | ${share(f.unparseableFrac)} | ${f.overContext} | ${unsupported.length} |`,
    );
    const reasons = new Map<string, string[]>();
    for (const u of unsupported) reasons.set(u.reason, [...(reasons.get(u.reason) ?? []), u.id]);
    for (const [reason, ids] of reasons) {
      const shown = ids.length > 8 ? `${ids.slice(0, 8).join(', ')} and ${ids.length - 8} more (all in --json)` : ids.join(', ');
      notes.push(`${suite}: ${ids.length} unsupported, not scored (${reason}): ${shown}`);
    }
    if (scored && f.overContext === f.problems) notes.push(`${suite}: every prompt is longer than the model's ${contextTokens}-token context: nothing was sampled`);
  }
  const legend = [
    'avg@k: mean share of correct samples; pass@k: the unbiased estimator (Chen et al., 2021)',
    'mean response tokens, truncated (cut at the cap), unparseable (no answer to judge): over the samples drawn',
    `over context: problems whose prompt leaves no room in the model's ${contextTokens}-token context: not sampled, scored wrong`,
    'unsupported: problems the verifier cannot judge exactly: listed, not scored',
  ];
  return `${lines.join('\n')}\n${[...notes, ...legend].map((n) => `  ${n}`).join('\n')}\n`;
}

/**
 * A markdown table with one column per evaluation of the same held-out problems (`ace train`:
 * base, after RL), rows per suite: avg@k, pass@k, avg@k per level, mean response tokens.
 */
export function comparisonTable(columns: { name: string; reports: EvalReports }[], domains: readonly Domain[], k: number, caption: string): string {
  const rows = [`| ${caption} | ${columns.map((c) => c.name).join(' | ')} |`, `|---|${columns.map(() => '---|').join('')}`];
  for (const d of domains) {
    const row = (metric: string, cell: (r: EvalReport) => string) => rows.push(`| ${d} ${metric} | ${columns.map((c) => cell(c.reports[d]!)).join(' | ')} |`);
    row(`avg@${k} (pass@1)`, (r) => pct(r.overall.avgAtK));
    row(`pass@${k}`, (r) => pct(r.overall.passAtK));
    for (const level of Object.keys(columns[0].reports[d]!.byLevel)) row(`level ${level} avg@${k}`, (r) => (r.byLevel[level] ? pct(r.byLevel[level].avgAtK) : '-'));
    row('mean response tokens', (r) => r.meanResponseTokens.toFixed(1));
  }
  return `${rows.join('\n')}\n`;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

const benchmarkHelp = BENCHMARK_NAMES.map((n) => `${n}: ${BENCHMARKS[n].title}${BENCHMARKS[n].paperK ? ` (the paper: avg@${BENCHMARKS[n].paperK})` : ''}`).join('; ');

export const command = defineCommand({
  name: 'eval',
  summary: 'avg@k and unbiased pass@k of a checkpoint on the held-out splits and on real math and code benchmarks',
  description:
    'Samples as the paper evaluates (temperature 0.6, top-p 0.95 by default). Synthetic suites (math, code: the default) draw --problems held-out tasks fixed by --seed; ' +
    `real benchmarks are read from the datasets folder ($ACE_DATASETS, else ../shared/datasets), first --limit problems each, and a missing file is skipped with its reason. Benchmarks: ${benchmarkHelp}. ` +
    'Math: the last \\boxed{} after </think>, judged by the math verifier. Code: the last fenced block, every test must pass, judged in the Python sandbox (6 s per test, 60 s per program on benchmarks). ' +
    'A prompt longer than the model\'s context is not sampled and scores wrong (column "over context"); a problem the verifier cannot judge exactly (several accepted outputs, tolerances, interactors) is listed as unsupported, not scored. ' +
    'Prints one table, a row per suite; --json prints instead (the table then goes to stderr) one object {checkpoint, k, limit, sampling, suites: {NAME: {problems, avgAtK, passAtK, byLevel, meanResponseTokens, truncatedFrac, unparseableFrac, overContext, sampled, outcomes, maxNewTokens, ...}}} ' +
    'where a benchmark adds kind, title, file and unsupported [{id, reason}], or is {kind, title, file, skipped}.',
  flags: {
    checkpoint: { schema: E.checkpoint, help: 'checkpoint or model directory (config.json + weights; its tokenizer.json and chat template, when present, format the prompts)', value: 'DIR' },
    suite: { schema: SuiteList.prefault('math,code'), help: 'suites, in this order', value: 'LIST', range: SUITE_RANGE },
    k: { ...EVAL_FLAGS.k, short: 'k', help: 'samples per problem (avg@k, pass@k); the paper uses 64 for AIME and 8 for LiveCodeBench' },
    limit: { schema: z.int().min(1).optional(), help: 'evaluate the first N problems of each real benchmark (default all)' },
    problems: EVAL_FLAGS.problems,
    seed: EVAL_FLAGS.seed,
    temperature: { schema: E.temperature, help: 'softmax temperature; 0 = greedy' },
    'top-p': { schema: E.topP, help: 'nucleus mass' },
    'max-new-tokens': { schema: E.maxNewTokens, help: `response cap for every suite, tokens (default: math ${DEFAULT_MAX_NEW_TOKENS.math}, code ${DEFAULT_MAX_NEW_TOKENS.code}; never past the context)` },
    threads: { schema: E.threads, help: 'ORT threads' },
    json: { ...JSON_FLAG.json, help: 'print one JSON object instead of the table (the table goes to stderr)' },
  },
  examples: [
    'ace eval --checkpoint models/base',
    'ace eval --checkpoint models/base --suite math500,mbpp --limit 3 -k 2',
    'ace eval --checkpoint runs/default/checkpoints/step-00080 --suite all -k 4 --json',
  ],
  async run(values) {
    const suites = values.suite;
    const synthetic = suites.filter((s): s is Domain => s === 'math' || s === 'code');
    const req: EvalRequest = {
      checkpoint: values.checkpoint,
      domains: synthetic.length > 0 ? synthetic : ['math'], // the synthetic suites asked for (unused when none: benchmarks are planned below)
      k: values.k,
      problems: values.problems,
      seed: values.seed,
      temperature: values.temperature,
      topP: values['top-p'],
      maxNewTokens: values['max-new-tokens'],
      threads: values.threads,
    };
    const heldout = synthetic.length > 0 ? heldoutTasks({ ...req, domains: synthetic }) : {};
    const benches = new Map(suites.filter(isBenchmarkName).map((name) => [name, prepareBenchmark(name, values.limit)] as const));
    for (const b of benches.values()) if (b.skipped !== null) process.stderr.write(`[eval] ${b.name}: skipped: ${b.skipped}\n`);
    const plans: SuitePlan[] = suites.flatMap((s): SuitePlan[] => {
      if (s === 'math' || s === 'code') return [{ name: s, domain: s, tasks: heldout[s]!, benchmark: false }];
      const b = benches.get(s)!;
      return b.skipped === null ? [{ name: s, domain: BENCHMARKS[s].domain, tasks: b.tasks, benchmark: true }] : [];
    });
    const ckpt = loadPolicy(req.checkpoint);
    if (ckpt.format.tokenizer.kind === 'hf') {
      const tok = ckpt.format.tokenizer;
      process.stderr.write(`[eval] prompts: the chat template and tokenizer of ${req.checkpoint} (${tok.vocabSize} ids, replies end at ${tok.stopIds.map((id) => `${JSON.stringify(tok.decode([id]))} ${id}`).join(', ')})\n`);
    }
    const t0 = performance.now();
    const reports = await evalSuites(ckpt, req, plans, (suite, done, total) => process.stderr.write(`[eval] ${suite} ${done}/${total} samples\n`));
    const out: Record<string, SuiteFigures | BenchmarkFigures> = {};
    const rows: ResultRow[] = [];
    for (const s of suites) {
      const r = reports.get(s);
      const maxNewTokens = req.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS[s === 'math' || s === 'code' ? s : BENCHMARKS[s].domain];
      if (r) {
        process.stderr.write(`[eval] ${req.checkpoint} ${s}: avg@${req.k} ${pct(r.overall.avgAtK)}  pass@${req.k} ${pct(r.overall.passAtK)}  (${r.overall.problems} problems${r.overContext ? `, ${r.overContext} over the context` : ''})\n`);
        if (s === 'math' || s === 'code') for (const [level, x] of Object.entries(r.byLevel)) process.stderr.write(`[eval]   ${s} level ${level}: avg@${req.k} ${pct(x.avgAtK)}  pass@${req.k} ${pct(x.passAtK)}\n`);
      }
      if (s === 'math' || s === 'code') out[s] = { ...reportFigures(r!), maxNewTokens };
      else {
        const b = benches.get(s)!;
        const head = { kind: 'benchmark' as const, title: BENCHMARKS[s].title, file: BENCHMARKS[s].file };
        if (b.skipped !== null) out[s] = { ...head, skipped: b.skipped };
        else {
          // Every problem unsupported: nothing sampled, no figures (rendered as '-').
          const figures = r ? reportFigures(r) : { problems: 0, avgAtK: Number.NaN, passAtK: Number.NaN, byLevel: {}, meanResponseTokens: Number.NaN, truncatedFrac: Number.NaN, unparseableFrac: Number.NaN, overContext: 0, sampled: 0, outcomes: {} };
          out[s] = { ...head, skipped: null, ...figures, byLevel: s === 'math500' ? figures.byLevel : {}, maxNewTokens, unsupported: b.unsupported };
        }
      }
      rows.push({ suite: s, k: req.k, figures: out[s] });
    }
    const table = resultsTable(rows, ckpt.config.max_position_embeddings);
    process.stderr.write(`[eval] ${plans.length} suites in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    if (values.json) {
      process.stderr.write(table);
      process.stdout.write(`${JSON.stringify({ checkpoint: req.checkpoint, k: req.k, limit: values.limit ?? null, sampling: { temperature: req.temperature, topP: req.topP, seed: req.seed }, suites: out })}\n`);
    } else process.stdout.write(table);
    return 0;
  },
});
