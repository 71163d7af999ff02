// The RL recipe as data: ordered stages, each with its domain, prompt source, response-length
// cap, prompt filter and length in steps (the paper's math stages of growing length with
// harder prompts last, then code), and the step's seeded draw of prompts from a stage's
// pool. Pure apart from reading a curated JSONL source: the pass rates come in as a map and
// the draw is fixed by (seed, step).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Domain } from '../../contracts/common.ts';
import { formatIssues } from '../../contracts/issues.ts';
import type { Task } from '../../contracts/task.ts';
import { CuratedTask } from '../data/task.ts';
import { CodedError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { type CodeLevel, type CodeTask, generateCodeTasks } from '../tasks/code.ts';
import { generateMathTasks, type MathLevel, type MathTask } from '../tasks/math.ts';
import { bytePromptFormat, type PromptFormat } from './template.ts';

/** Where a stage's prompts come from. */
export const PromptSource = z.discriminatedUnion('kind', [
  /** The synthetic suite of the stage's domain (train split), drawn with the run's seed. */
  z.strictObject({
    kind: z.literal('synthetic'),
    /** Difficulty levels of the pool. Default all. */
    levels: z.array(z.int().min(1).max(5)).min(1).default([1, 2, 3, 4, 5]),
    /** Distinct train-split tasks in the pool. Default 5000. */
    poolSize: z.int().min(1).default(5000),
  }),
  /** A JSONL file of `CuratedTask` lines, as `ace curate` writes them; read by the learner at start. */
  z.strictObject({ kind: z.literal('curated'), path: z.string().min(1) }),
]);
export type PromptSource = z.infer<typeof PromptSource>;

export const PromptFilter = z.strictObject({
  /**
   * Hard-prompt curriculum: leave out prompts whose last observed group pass rate (from any
   * earlier step, this stage or before) is at least this. 1 = keep all.
   */
  dropPassRateAtLeast: z.number().min(0).max(1).default(1),
  /**
   * Curated sources only: keep prompts whose curation solve rate (difficulty solved / k) is
   * strictly above `above` and strictly below `below`; the default band drops prompts solved
   * by every attempt and by none, as the paper does.
   */
  solveRate: z.strictObject({ above: z.number().min(0).max(1).default(0), below: z.number().min(0).max(1).default(1) }).optional(),
});
export type PromptFilter = z.infer<typeof PromptFilter>;

export const RecipeStage = z
  .strictObject({
    /** Shown in step lines, tables and result.json. Default `<n>-<domain>` (1-based). */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'stage names are lower-case letters, digits and -').optional(),
    domain: Domain,
    /** Optimizer steps in this stage. */
    steps: z.int().min(1),
    source: PromptSource.default({ kind: 'synthetic', levels: [1, 2, 3, 4, 5], poolSize: 5000 }),
    /** Response-length cap, tokens (the paper's 8K -> 16K -> 24K -> 32K, scaled down). */
    maxResponseTokens: z.int().min(1),
    filter: PromptFilter.default({ dropPassRateAtLeast: 1 }),
    /** AdamW learning rate in this stage. Default: the learner's lr. */
    lr: z.number().positive().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.filter.solveRate && s.source.kind !== 'curated') {
      ctx.addIssue({ code: 'custom', path: ['filter', 'solveRate'], message: 'a solve-rate band needs curated prompts with a difficulty (`ace curate` with attempts); the synthetic suite has none: use dropPassRateAtLeast' });
    }
    if (s.filter.solveRate && s.filter.solveRate.above >= s.filter.solveRate.below) {
      ctx.addIssue({ code: 'custom', path: ['filter', 'solveRate'], message: `an empty band: above ${s.filter.solveRate.above} is not below ${s.filter.solveRate.below}` });
    }
  });
export type RecipeStage = z.infer<typeof RecipeStage>;
export type RecipeStageInput = z.input<typeof RecipeStage>;

/** Ordered stages, with distinct names. */
export const Recipe = z
  .array(RecipeStage)
  .min(1)
  .superRefine((stages, ctx) => {
    const seen = new Map<string, number>();
    stages.forEach((s, i) => {
      const name = stageName(s, i);
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `stage name '${name}' is also stage ${seen.get(name)! + 1}'s: give each stage its own name` });
      else seen.set(name, i);
    });
  });

/** One prompt of an RL pool, whatever its source: what a released Task carries of it. */
export type PoolTask = { id: string } & Pick<Task, 'domain' | 'prompt' | 'gold' | 'tests' | 'meta'>;

export class CurriculumError extends CodedError<'POOL_TOO_SMALL' | 'CONTEXT_TOO_SHORT' | 'SOURCE_UNREADABLE' | 'SOURCE_INVALID'> {}

export function stageName(s: Pick<RecipeStage, 'name' | 'domain'>, index: number): string {
  return s.name ?? `${index + 1}-${s.domain}`;
}

/** A stage placed on the step clock: steps fromStep .. endStep - 1. */
export type PlacedStage = { index: number; name: string; fromStep: number; endStep: number; stage: RecipeStage };

export function placeStages(stages: readonly RecipeStage[]): PlacedStage[] {
  let from = 0;
  return stages.map((stage, index) => {
    const placed = { index, name: stageName(stage, index), fromStep: from, endStep: from + stage.steps, stage };
    from += stage.steps;
    return placed;
  });
}

export function totalSteps(stages: readonly { steps: number }[]): number {
  return stages.reduce((n, s) => n + s.steps, 0);
}

/** The stage in force at `step` (the last one past the end); stages or their placeStages. */
export function stageAt(stages: readonly RecipeStage[] | readonly PlacedStage[], step: number): PlacedStage {
  const placed = stages.length && 'endStep' in stages[0] ? (stages as readonly PlacedStage[]) : placeStages(stages as readonly RecipeStage[]);
  return placed.find((p) => step < p.endStep) ?? placed.at(-1)!;
}

/** The synthetic math suite as a pool. */
export function mathPool(tasks: readonly MathTask[]): PoolTask[] {
  return tasks.map((t) => ({ id: t.id, domain: 'math', prompt: t.question, gold: t.gold, meta: { level: t.level, family: t.family } }));
}

/** The synthetic code suite as a pool: the hidden tests travel with the task to the code verifiers. */
export function codePool(tasks: readonly CodeTask[]): PoolTask[] {
  return tasks.map((t) => ({ id: t.id, domain: 'code', prompt: t.prompt, tests: t.tests, meta: { level: t.level, family: t.family } }));
}

/** Curated tasks as a pool; the curation source and solve rate travel in meta. */
export function curatedPool(tasks: readonly CuratedTask[]): PoolTask[] {
  return tasks.map((t) => ({
    id: t.taskId,
    domain: t.domain,
    prompt: t.prompt,
    ...(t.gold !== undefined ? { gold: t.gold } : {}),
    ...(t.tests !== undefined ? { tests: t.tests } : {}),
    meta: { ...t.meta, source: t.source },
  }));
}

/**
 * A curated JSONL file, every line checked: a bad line fails the whole read with its line
 * number and field (a run must not silently train on part of its data). Blank lines are skipped.
 */
export function readCuratedTasks(path: string): CuratedTask[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CurriculumError('SOURCE_UNREADABLE', `cannot read the curated prompts ${path}: ${(err as Error).message}\nHINT: write them with \`ace curate --out FILE\``);
  }
  const out: CuratedTask[] = [];
  const ids = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new CurriculumError('SOURCE_INVALID', `${path}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    const parsed = CuratedTask.safeParse(json);
    if (!parsed.success) throw new CurriculumError('SOURCE_INVALID', `${path}:${i + 1}: not a curated task: ${formatIssues(parsed.error.issues).join('; ')}`);
    const t = parsed.data;
    if (ids.has(t.taskId)) throw new CurriculumError('SOURCE_INVALID', `${path}:${i + 1}: taskId '${t.taskId}' is also line ${ids.get(t.taskId)}'s; a pool needs distinct ids (pass rates are kept by id)`);
    if (t.domain === 'math' && t.gold === undefined) throw new CurriculumError('SOURCE_INVALID', `${path}:${i + 1}: math task '${t.taskId}' has no gold answer`);
    if (t.domain === 'code' && t.tests === undefined) throw new CurriculumError('SOURCE_INVALID', `${path}:${i + 1}: code task '${t.taskId}' has no tests`);
    ids.set(t.taskId, i + 1);
    out.push(t);
  });
  return out;
}

/**
 * A stage's pool: its source read or generated, restricted to the stage's domain and, for a
 * solve-rate band, to curated prompts inside it. `seed` is the run's seed (the synthetic draw).
 */
export function stagePool(stage: RecipeStage, label: string, seed: number): PoolTask[] {
  const src = stage.source;
  if (src.kind === 'synthetic') {
    const suite = { seed, split: 'train', count: src.poolSize } as const;
    return stage.domain === 'code'
      ? codePool(generateCodeTasks({ ...suite, levels: src.levels as CodeLevel[] }))
      : mathPool(generateMathTasks({ ...suite, levels: src.levels as MathLevel[] }));
  }
  const tasks = readCuratedTasks(src.path);
  const other = tasks.find((t) => t.domain !== stage.domain);
  if (other) throw new CurriculumError('SOURCE_INVALID', `stage ${label} is a ${stage.domain} stage, but ${src.path} holds ${other.domain} task '${other.taskId}'\nHINT: give each domain its own curated file (\`ace curate\` per domain)`);
  const band = stage.filter.solveRate;
  if (!band) return curatedPool(tasks);
  const unrated = tasks.find((t) => !t.difficulty);
  if (unrated) throw new CurriculumError('SOURCE_INVALID', `stage ${label}: the solve-rate band needs every task's difficulty, and '${unrated.taskId}' in ${src.path} has none\nHINT: curate with attempts (\`ace curate\` with a difficulty stage), or drop filter.solveRate`);
  return curatedPool(tasks.filter((t) => t.difficulty!.solved / t.difficulty!.k > band.above && t.difficulty!.solved / t.difficulty!.k < band.below));
}

/**
 * The step's `n` distinct prompts: a seeded draw from the pool, leaving out prompts whose pass
 * rate is at least `dropPassRateAtLeast`; from the whole pool when fewer than `n` are left.
 * Prompts never seen have pass rate 0.
 */
export function selectTasks<T extends { id: string }>(pool: readonly T[], passRates: ReadonlyMap<string, number>, dropPassRateAtLeast: number, seed: number, step: number, n: number): T[] {
  if (pool.length < n) throw new CurriculumError('POOL_TOO_SMALL', `a pool of ${pool.length} prompts cannot give ${n} distinct prompts per step`);
  const eligible = pool.filter((t) => (passRates.get(t.id) ?? 0) < dropPassRateAtLeast);
  const from = eligible.length >= n ? eligible : pool;
  const rng = new Rng((seed * 1_000_003 + step) >>> 0);
  const picked = new Set<number>();
  while (picked.size < n) picked.add(rng.int(0, from.length - 1));
  return [...picked].map((i) => from[i]);
}

/** Prompt lengths of the non-byte formats, by prompt: a real tokenizer takes about 0.2 ms a prompt, and a pool is measured more than once. */
const lengthMemo = new WeakMap<PromptFormat, Map<string, number>>();

function promptLength(prompt: string, format: PromptFormat): number {
  if (format === bytePromptFormat) return format.promptTokens(prompt).length;
  let memo = lengthMemo.get(format);
  if (!memo) lengthMemo.set(format, (memo = new Map()));
  let n = memo.get(prompt);
  if (n === undefined) memo.set(prompt, (n = format.promptTokens(prompt).length));
  return n;
}

/** The pool's longest prompt, tokens (chat template included), in `format` (default the embedded byte-level one). */
export function longestPrompt(pool: readonly { prompt: string }[], format: PromptFormat = bytePromptFormat): number {
  return pool.reduce((m, t) => Math.max(m, promptLength(t.prompt, format)), 1);
}

/** A stage's response cap must fit after its pool's longest prompt (in `format`) in the model's context. */
export function checkContext(pool: readonly { prompt: string }[], maxResponseTokens: number, context: number, label: string, format: PromptFormat = bytePromptFormat): void {
  const longest = longestPrompt(pool, format);
  if (longest + maxResponseTokens > context) {
    throw new CurriculumError(
      'CONTEXT_TOO_SHORT',
      `stage ${label}: maxResponseTokens ${maxResponseTokens} after the pool's longest prompt (${longest} tokens) exceeds the model's context of ${context}; use at most ${context - longest}`,
    );
  }
}

/** Prefix slots for prompt sharing: the pool's longest prompt (in `format`) minus its last token, rounded up to eights. */
export function sharedPrefixFor(pool: readonly { prompt: string }[], format: PromptFormat = bytePromptFormat): number {
  return Math.ceil((longestPrompt(pool, format) - 1) / 8) * 8;
}

/**
 * The curriculum bucket's key of a task's pass rate. KV keys allow [-/=.A-Za-z0-9_], task ids
 * also ':' (curated ids are `source:row`): other characters are written =XX (hex).
 */
export function passKey(taskId: string): string {
  return `pass.${taskId.replace(/[^-/.\w]/g, (c) => `=${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
}

export function taskIdOfPassKey(key: string): string {
  return key.slice('pass.'.length).replace(/=([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}
