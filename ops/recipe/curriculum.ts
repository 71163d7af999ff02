// The RL curriculum: response-length stages, the hard-prompt filter (prompts the policy
// already solves are left out) and the step's seeded draw of prompts from a pool. Pure: the
// pass rates come in as a map and the draw is fixed by (seed, step). Not a prompt source:
// a pool is built by an adapter such as mathPool, and selection only needs each item's id.
import { z } from 'zod';
import type { Task } from '../../contracts/task.ts';
import { CodedError } from '../errors.ts';
import { Rng } from '../rng.ts';
import type { CodeTask } from '../tasks/code.ts';
import type { MathTask } from '../tasks/math.ts';
import { promptTokens } from './template.ts';

export const CurriculumStage = z.strictObject({
  /** First step of this stage. */
  fromStep: z.int().min(0),
  /** Response-length cap, tokens (the paper's 8K -> 16K -> 24K -> 32K, scaled down). */
  maxResponseTokens: z.int().min(1),
  /**
   * Hard-prompt curriculum: leave out prompts whose last observed group pass rate is at
   * least this (the paper drops prompts the policy already solves). 1 = keep all.
   */
  dropPassRateAtLeast: z.number().min(0).max(1).default(1),
});
export type CurriculumStage = z.infer<typeof CurriculumStage>;

/** One prompt of an RL pool, whatever its source: what a released Task carries of it. */
export type PoolTask = { id: string } & Pick<Task, 'domain' | 'prompt' | 'gold' | 'tests' | 'meta'>;

export class CurriculumError extends CodedError<'POOL_TOO_SMALL' | 'CONTEXT_TOO_SHORT'> {}

/** The synthetic math suite as a pool. */
export function mathPool(tasks: readonly MathTask[]): PoolTask[] {
  return tasks.map((t) => ({ id: t.id, domain: 'math', prompt: t.question, gold: t.gold, meta: { level: t.level, family: t.family } }));
}

/** The synthetic code suite as a pool: the hidden tests travel with the task to the code verifiers. */
export function codePool(tasks: readonly CodeTask[]): PoolTask[] {
  return tasks.map((t) => ({ id: t.id, domain: 'code', prompt: t.prompt, tests: t.tests, meta: { level: t.level, family: t.family } }));
}

/** The stage in force at `step`: the one with the greatest fromStep <= step (the earliest when none has started). */
export function stageAt(curriculum: readonly CurriculumStage[], step: number): CurriculumStage {
  const sorted = [...curriculum].sort((a, b) => a.fromStep - b.fromStep);
  return sorted.filter((s) => s.fromStep <= step).at(-1) ?? sorted[0];
}

/**
 * The step's `n` distinct prompts: a seeded draw from the pool, leaving out prompts the stage
 * calls too easy; from the whole pool when fewer than `n` are left. Prompts never seen have
 * pass rate 0.
 */
export function selectTasks<T extends { id: string }>(pool: readonly T[], passRates: ReadonlyMap<string, number>, stage: CurriculumStage, seed: number, step: number, n: number): T[] {
  if (pool.length < n) throw new CurriculumError('POOL_TOO_SMALL', `a pool of ${pool.length} prompts cannot give ${n} distinct prompts per step`);
  const eligible = pool.filter((t) => (passRates.get(t.id) ?? 0) < stage.dropPassRateAtLeast);
  const from = eligible.length >= n ? eligible : pool;
  const rng = new Rng((seed * 1_000_003 + step) >>> 0);
  const picked = new Set<number>();
  while (picked.size < n) picked.add(rng.int(0, from.length - 1));
  return [...picked].map((i) => from[i]);
}

/** The pool's longest prompt, tokens (chat template included). */
export function longestPrompt(pool: readonly { prompt: string }[]): number {
  return pool.reduce((m, t) => Math.max(m, promptTokens(t.prompt).length), 1);
}

/** Every stage's response cap must fit after the pool's longest prompt in the model's context. */
export function checkContext(pool: readonly { prompt: string }[], curriculum: readonly CurriculumStage[], context: number): void {
  const longest = longestPrompt(pool);
  for (const s of curriculum) {
    if (longest + s.maxResponseTokens > context) {
      throw new CurriculumError(
        'CONTEXT_TOO_SHORT',
        `curriculum stage from step ${s.fromStep}: maxResponseTokens ${s.maxResponseTokens} after the pool's longest prompt (${longest} tokens) exceeds the model's context of ${context}; use at most ${context - longest}`,
      );
    }
  }
}

/** Prefix slots for prompt sharing: the pool's longest prompt minus its last token, rounded up to eights. */
export function sharedPrefixFor(pool: readonly { prompt: string }[]): number {
  return Math.ceil((longestPrompt(pool) - 1) / 8) * 8;
}
