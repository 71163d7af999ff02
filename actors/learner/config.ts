import { z } from 'zod';
import { Recipe } from '../../ops/recipe/curriculum.ts';

/** Response-length cap of a one-stage math run, tokens. */
export const DEFAULT_MAX_RESPONSE_TOKENS = 96;
/**
 * The cap for the code suite: its longest teacher program is 131 tokens and its longest prompt
 * 119, so 136 fits a 256-token context.
 */
export const DEFAULT_CODE_MAX_RESPONSE_TOKENS = 136;

export const LearnerConfig = z.strictObject({
  /** Checkpoint folder of the starting policy (version 0). Default models/base. */
  base: z.string().default('models/base'),
  /** Where step checkpoints go; `ace train` sets it. Default runs/default. */
  runDir: z.string().default('runs/default'),
  /**
   * The recipe: ordered stages (domain, prompt source, response cap, prompt filter, steps),
   * switched at step boundaries inside the run. The run's length is the stages' steps summed.
   * Default: one math stage of 80 steps, the synthetic suite, cap 96.
   */
  stages: Recipe.default([{ domain: 'math', steps: 80, source: { kind: 'synthetic', levels: [1, 2, 3, 4, 5], poolSize: 5000 }, maxResponseTokens: DEFAULT_MAX_RESPONSE_TOKENS, filter: { dropPassRateAtLeast: 1 } }]),
  /** Prompts per step (the rollout batch is tasksPerStep * groupSize). Default 32. */
  tasksPerStep: z.int().min(1).default(32),
  /** Responses per prompt, G. Default 8. */
  groupSize: z.int().min(2).default(8),
  /**
   * Dynamic sampling (DAPO's option; the paper does not use it): a group whose advantages are
   * all zero (all rewards equal) is left out of the step, and a new prompt from the step's
   * seeded draw is released in its place, until the step has tasksPerStep groups with signal
   * or maxGroupsPerStep groups were released. Default false.
   */
  dynamicSampling: z.boolean().default(false),
  /** With dynamicSampling: prompts released per step at most. Default 3 x tasksPerStep. */
  maxGroupsPerStep: z.int().min(1).optional(),
  /** AdamW learning rate (constant, as in the paper's RL stages). Default 2e-4. */
  lr: z.number().positive().default(2e-4),
  weightDecay: z.number().min(0).default(0),
  maxGradNorm: z.number().min(0).default(1),
  /**
   * Learner micro-batch shapes (rows, tokens). A micro-batch is padded to the smallest length
   * that fits its longest row, so fine steps waste little compute on padding; each shape's
   * graph is built on first use (about 0.1 s; every shape's at the start of the run). Default:
   * defaultBuckets(the model's context), 8 rows at 32, 48, ... 160, then every 32 tokens up to
   * the context; with sharePrompts, whose rows hold responses only, up to the first length
   * that holds the recipe's longest response cap, and the context's (for a group that cannot
   * share its prompt: one member left by overlong filtering). The lengths between would never
   * be used, and their graphs cost seconds each to build with a real model's vocabulary.
   */
  buckets: z.array(z.strictObject({ batch: z.int().positive(), length: z.int().positive() })).min(1).optional(),
  threads: z.int().min(1).default(2),
  /**
   * ORT threads for a group while the learner keeps up (no other group waiting, not the
   * step's last): fewer threads leave the other cores to generation and verification and
   * cost less CPU per token. The step's last group and any backlog run with `threads`.
   * Default 1; equal to `threads` for one width throughout (bench loop at 32 prompts x 8:
   * learner CPU per step 2.9-3.1 s against 3.1-3.2 s at 2 threads throughout).
   */
  narrowThreads: z.int().min(1).default(1),
  /** Let idle ORT threads busy-wait; off by default, as actors share the machine's cores. */
  spinWait: z.boolean().default(false),
  /**
   * Run a group's prompt once per micro-batch, its responses attending to the shared keys and
   * values, instead of once per response (ops/model/learner.ts `sharedPrefix`, sized to the
   * pool's longest prompt). Same loss and gradients up to float rounding, less compute.
   * Default true.
   */
  sharePrompts: z.boolean().default(true),
  /**
   * Steps a rollout's policy version may lag the step it trains: 0 (default) is strictly
   * on-policy; k > 0 releases prompts k steps ahead, sampled with the version current at
   * release, so generation of the next steps overlaps the optimizer step (bounded staleness).
   */
  maxPolicyLag: z.int().min(0).max(8).default(0),
  /**
   * How new versions reach the generators: 'object-store' (default; any host that reaches
   * NATS) or 'file' (the step checkpoint's model.safetensors, for actors sharing a filesystem).
   */
  weights: z.enum(['object-store', 'file']).default('object-store'),
  /** Step checkpoints kept besides the latest. Default 1. */
  keepCheckpoints: z.int().min(0).default(1),
  /** Also keep every step checkpoint whose step is a multiple of this (0: none). `ace train` sets its --probe-every. */
  keepCheckpointEvery: z.int().min(0).default(0),
});
export type LearnerConfig = z.infer<typeof LearnerConfig>;

/**
 * The default micro-batch shapes for a model with context `maxLen` tokens; with `longestRow`,
 * only those up to the first that holds a row of that many tokens, and `maxLen`'s.
 */
export function defaultBuckets(maxLen: number, longestRow = maxLen): { batch: number; length: number }[] {
  const lengths = new Set<number>();
  for (let n = 32; n <= Math.min(160, maxLen); n += 16) lengths.add(n);
  for (let n = 192; n <= maxLen; n += 32) lengths.add(n);
  lengths.add(maxLen);
  const sorted = [...lengths].sort((a, b) => a - b);
  const fits = sorted.findIndex((n) => n >= longestRow);
  const kept = fits < 0 ? sorted : [...sorted.slice(0, fits + 1), ...(sorted[fits] < maxLen ? [maxLen] : [])];
  return kept.map((length) => ({ batch: 8, length }));
}
