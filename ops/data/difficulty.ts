// Difficulty estimation (AceReason-Nemotron §3.2.1): k attempts per problem by a strong
// policy give a level 0..k (problems solved); unsolvable ones (0) are dropped and, when
// asked, too-easy ones (solved >= maxSolved). The level is written into each task for
// the pass-rate curriculum. The attempts come from a Solver, so the policy checkpoint
// (generator + verifier) plugs in later; this file never samples anything itself.
import { z } from 'zod';
import type { Problem } from './task.ts';
import { CodedError } from '../errors.ts';

/** Anything that can attempt problems k times and say how many attempts were correct. */
export interface Solver {
  /** Human-readable name for the report (e.g. the checkpoint path). */
  readonly name: string;
  /** Solved counts per problem, each in 0..k, in input order. */
  solve(problems: readonly Problem[], k: number): Promise<number[]>;
}

export const DifficultyConfig = z
  .object({
    /** Attempts per problem (paper: 8). */
    k: z.number().int().positive().default(8),
    /** Drop problems no attempt solved. */
    dropUnsolved: z.boolean().default(true),
    /** Drop problems solved at least this many times (too easy); unset keeps them. */
    maxSolved: z.number().int().positive().optional(),
  })
  .strict();
export type DifficultyConfig = z.input<typeof DifficultyConfig>;

export type DifficultyResult = {
  solver: string;
  k: number;
  /** Solved count per input problem. */
  solved: number[];
  /** histogram[s] = problems solved s times, s = 0..k. */
  histogram: number[];
  dropped: { index: number; reason: 'unsolved' | 'tooEasy' }[];
};

export async function estimateDifficulty(problems: readonly Problem[], solver: Solver, config: DifficultyConfig = {}): Promise<DifficultyResult> {
  const cfg = DifficultyConfig.parse(config);
  const solved = await solver.solve(problems, cfg.k);
  if (solved.length !== problems.length) throw new DifficultyError('bad-solver-output', `solver ${solver.name} returned ${solved.length} counts for ${problems.length} problems`);
  const histogram = new Array<number>(cfg.k + 1).fill(0);
  const dropped: DifficultyResult['dropped'] = [];
  solved.forEach((s, index) => {
    if (!Number.isInteger(s) || s < 0 || s > cfg.k) throw new DifficultyError('bad-solver-output', `solver ${solver.name} gave ${s} for problem ${problems[index].id}; expected 0..${cfg.k}`);
    histogram[s]++;
    if (s === 0 && cfg.dropUnsolved) dropped.push({ index, reason: 'unsolved' });
    else if (cfg.maxSolved !== undefined && s >= cfg.maxSolved) dropped.push({ index, reason: 'tooEasy' });
  });
  return { solver: solver.name, k: cfg.k, solved, histogram, dropped };
}

export class DifficultyError extends CodedError<'bad-solver-output'> {}
