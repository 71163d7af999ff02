// `ace eval --checkpoint PATH [--suite math|code|all] --k 8 [--json]`: avg@k and unbiased
// pass@k on each suite's held-out split, sampling as the paper evaluates (temperature 0.6,
// top-p 0.95 by default). Also the evaluation `ace train` runs before and after RL: one
// generator and one judge for every suite of a checkpoint.
import { DEFAULT_CODE_MAX_RESPONSE_TOKENS, DEFAULT_MAX_RESPONSE_TOKENS } from '../actors/learner/config.ts';
import { Domain } from '../contracts/common.ts';
import { type Checkpoint, loadCheckpoint } from '../ops/model/checkpoint.ts';
import { Generator } from '../ops/model/generator.ts';
import { codeEvalTasks, type EvalReport, type EvalTask, evaluateTasks, mathEvalTasks } from '../ops/recipe/evaluate.ts';
import { RolloutJudge } from '../ops/reward/judge.ts';
import { generateCodeTasks } from '../ops/tasks/code.ts';
import { generateMathTasks } from '../ops/tasks/math.ts';
import { z } from 'zod';
import { defineCommand } from './command.ts';
import { CliError, JSON_FLAG } from './session.ts';

/** Which held-out suites to evaluate; `all` is math, then code. */
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

export async function evalCheckpoint(r: EvalRequest, heldout: HeldOut, onProgress?: (domain: Domain, done: number, total: number) => void): Promise<EvalReports> {
  return evalLoaded(loadCheckpoint(r.checkpoint), r, heldout, onProgress);
}

/** evalCheckpoint on weights already in memory (`r.checkpoint` is not read). */
export async function evalLoaded(ckpt: Pick<Checkpoint, 'config' | 'params'>, r: EvalRequest, heldout: HeldOut, onProgress?: (domain: Domain, done: number, total: number) => void): Promise<EvalReports> {
  const gen = await Generator.create(ckpt.config, ckpt.params, { threads: r.threads, maxBatch: 256, maxSeqLen: ckpt.config.max_position_embeddings });
  const judge = new RolloutJudge({ mathWorkers: 1, mathDeadlineMs: 2000, codeJsWorkers: 1, codePyWorkers: 1 });
  try {
    await judge.ready();
    const out: EvalReports = {};
    for (const domain of r.domains) {
      const tasks = heldout[domain];
      if (!tasks) continue;
      out[domain] = await evaluateTasks(gen, (x) => judge.judge(x), tasks, {
        k: r.k,
        temperature: r.temperature,
        topP: r.topP,
        maxNewTokens: r.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS[domain],
        seed: r.seed,
        onProgress: onProgress && ((done, total) => onProgress(domain, done, total)),
      });
    }
    return out;
  } finally {
    await gen.dispose();
    await judge.close();
  }
}

/** A report's figures without its samples: the per-suite entry of `ace eval --json` and of result.json. */
export function reportFigures(r: EvalReport) {
  return {
    problems: r.overall.problems,
    avgAtK: r.overall.avgAtK,
    passAtK: r.overall.passAtK,
    byLevel: Object.fromEntries(Object.entries(r.byLevel).map(([l, s]) => [l, { problems: s.problems, avgAtK: s.avgAtK, passAtK: s.passAtK }])),
    meanResponseTokens: r.meanResponseTokens,
    truncatedFrac: r.truncatedFrac,
    outcomes: r.outcomes,
  };
}

/** One suite's entry in `ace eval --json`. */
export type SuiteFigures = ReturnType<typeof reportFigures> & { maxNewTokens: number };

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

export const command = defineCommand({
  name: 'eval',
  summary: 'avg@k and unbiased pass@k of a checkpoint on the held-out math and code splits',
  description:
    'Samples as the paper evaluates (temperature 0.6, top-p 0.95 by default), each suite on its own\nheld-out draw fixed by --seed; one line per suite and per level on stderr. --json prints one object\n{checkpoint, k, sampling, suites: {math?, code?}} whose suite entries hold problems, avgAtK, passAtK,\nbyLevel, meanResponseTokens, truncatedFrac, outcomes and maxNewTokens.',
  flags: {
    checkpoint: { schema: E.checkpoint, help: 'checkpoint directory (model.safetensors + config.json)', value: 'DIR' },
    ...EVAL_FLAGS,
    temperature: { schema: E.temperature, help: 'softmax temperature; 0 = greedy' },
    'top-p': { schema: E.topP, help: 'nucleus mass' },
    'max-new-tokens': { schema: E.maxNewTokens, help: `response cap for every suite, tokens (default: math ${DEFAULT_MAX_NEW_TOKENS.math}, code ${DEFAULT_MAX_NEW_TOKENS.code})` },
    threads: { schema: E.threads, help: 'ORT threads' },
    ...JSON_FLAG,
  },
  examples: [
    'ace eval --checkpoint models/base',
    'ace eval --checkpoint runs/default/checkpoints/step-00080 --suite code --k 16 --problems 500 --json',
  ],
  async run(values) {
    const req: EvalRequest = {
      checkpoint: values.checkpoint,
      domains: suiteDomains(values.suite),
      k: values.k,
      problems: values.problems,
      seed: values.seed,
      temperature: values.temperature,
      topP: values['top-p'],
      maxNewTokens: values['max-new-tokens'],
      threads: values.threads,
    };
    const heldout = heldoutTasks(req);
    const reports = await evalCheckpoint(req, heldout, (domain, done, total) => process.stderr.write(`[eval] ${domain} ${done}/${total} samples\n`));
    const suites: Partial<Record<Domain, SuiteFigures>> = {};
    for (const d of req.domains) {
      const r = reports[d]!;
      process.stderr.write(`[eval] ${req.checkpoint} ${d}: avg@${req.k} ${pct(r.overall.avgAtK)}  pass@${req.k} ${pct(r.overall.passAtK)}  (${r.overall.problems} problems)\n`);
      for (const [level, s] of Object.entries(r.byLevel)) process.stderr.write(`[eval]   ${d} level ${level}: avg@${req.k} ${pct(s.avgAtK)}  pass@${req.k} ${pct(s.passAtK)}\n`);
      suites[d] = { ...reportFigures(r), maxNewTokens: req.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS[d] };
    }
    const out = { checkpoint: req.checkpoint, k: req.k, sampling: { temperature: req.temperature, topP: req.topP, seed: req.seed }, suites };
    if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  },
});
