// The `ace curate CONFIG` file: sources, benchmarks and the settings of every stage, one
// zod schema with defaults (unknown keys are errors). Paths of data files are relative
// to the datasets folder; the output folder is relative to the working directory.
import { z } from 'zod';
import { CodeCheckConfig } from './code-checks.ts';
import { DecontamConfig } from './decontam.ts';
import { DedupConfig } from './dedup.ts';
import { DifficultyConfig } from './difficulty.ts';
import { FilterConfig } from './filters.ts';
import { SourceConfig } from './read.ts';
import { Domain } from './task.ts';

export const SolverConfig = z.discriminatedUnion('kind', [
  /** Judge recorded attempts: a JSONL file of {taskId, answers: string[]} or {taskId, responses: string[]}. */
  z.object({ kind: z.literal('recorded'), file: z.string() }).strict(),
  /** Sample k responses per problem from a policy checkpoint (generator + verifier). */
  z.object({ kind: z.literal('policy'), checkpoint: z.string() }).strict(),
]);
export type SolverConfig = z.infer<typeof SolverConfig>;

export const CurateConfig = z
  .object({
    /** Name of the curated set (output file stem and report title). */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/),
    domain: Domain,
    /** Seed for everything random (example sampling, MinHash, mutants). */
    seed: z.number().int().default(1),
    /** Pool sources, in priority order: on a duplicate the earlier source's problem is kept. */
    sources: z.array(SourceConfig).min(1),
    /** Benchmark sets to decontaminate against (read like sources; only the prompt is used). */
    benchmarks: z.array(SourceConfig).default([]),
    filters: FilterConfig.default(FilterConfig.parse({})),
    /** Gold-answer parse check with the math verifier (math only): 'math-verifier' or 'none'. */
    answerCheck: z.enum(['math-verifier', 'none']).default('math-verifier'),
    dedup: DedupConfig.default(DedupConfig.parse({})),
    decontamination: DecontamConfig.default(DecontamConfig.parse({})),
    /** Code only: reference-solution and weak-test checks through the code verifier. */
    codeChecks: CodeCheckConfig.optional(),
    /** Difficulty stage; absent = skipped (no level in the output). */
    difficulty: DifficultyConfig.and(z.object({ solver: SolverConfig })).optional(),
    /** Output folder for <name>.jsonl, <name>.report.json and <name>.summary.txt. */
    outDir: z.string().default('runs/curate'),
    /** Examples sampled per filter and stage into the report. */
    examplesPerStage: z.number().int().min(0).default(3),
  })
  .strict();
export type CurateConfig = z.input<typeof CurateConfig>;
export type CurateConfigResolved = z.output<typeof CurateConfig>;
