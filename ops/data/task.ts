// The problem record that flows through curation, and the curated task written out. A
// Problem is what a reader produced from one source row; a CuratedTask is one JSONL line,
// the `contracts/task.ts` Task without its envelope and sampling fields (those are set
// when the learner releases it), plus the source and the difficulty level.
import { z } from 'zod';
import { Task } from '../../contracts/task.ts';

export const Domain = z.enum(['math', 'code']);
export type Domain = z.infer<typeof Domain>;

export type MetaValue = string | number | boolean;

/** One raw problem as read from a source, before any stage. */
export type Problem = {
  /** Stable id `${source}:${source id or row index}`, in the wire Id alphabet. */
  id: string;
  source: string;
  domain: Domain;
  /** Where it came from, for the report: file and 1-based line of the row's start. */
  origin: { file: string; line: number };
  prompt: string;
  /** Math: the gold answer (LaTeX). */
  answer?: string;
  /** Code: tests in the code verifier's CodeTests shape (ops/reward/code/types.ts). */
  tests?: unknown;
  language?: string;
  entryPoint?: string;
  /** Code: a reference solution (full program text) when the source has one. */
  reference?: string;
  /** Code: where the problem was published (for URL de-duplication). */
  url?: string;
  /** Extra mapped fields copied through to the output (year, level, ...). */
  meta: Record<string, MetaValue>;
};

export const Difficulty = z.object({
  /** Attempts made. */
  k: z.number().int().positive(),
  /** Attempts judged correct, 0..k; the pass-rate curriculum reads solved / k. */
  solved: z.number().int().nonnegative(),
});
export type Difficulty = z.infer<typeof Difficulty>;

/** One line of curated JSONL. */
export const CuratedTask = Task.pick({ taskId: true, domain: true, prompt: true, gold: true, tests: true, meta: true }).extend({
  source: z.string(),
  difficulty: Difficulty.optional(),
});
export type CuratedTask = z.infer<typeof CuratedTask>;

/** A string made safe for the wire Id alphabet [A-Za-z0-9._:-]. */
export function toId(s: string): string {
  return s.replace(/[^A-Za-z0-9._:-]+/g, '_').slice(0, 200);
}

export function toCuratedTask(p: Problem, difficulty?: Difficulty): CuratedTask {
  const meta: Record<string, MetaValue> = { ...p.meta };
  if (p.language !== undefined) meta.language = p.language;
  if (p.url !== undefined) meta.url = p.url;
  if (difficulty) {
    meta.solved = difficulty.solved;
    meta.attempts = difficulty.k;
  }
  return CuratedTask.parse({
    taskId: p.id,
    domain: p.domain,
    prompt: p.prompt,
    source: p.source,
    meta,
    ...(p.answer !== undefined ? { gold: p.answer } : {}),
    ...(p.tests !== undefined ? { tests: p.tests } : {}),
    ...(difficulty ? { difficulty } : {}),
  });
}
