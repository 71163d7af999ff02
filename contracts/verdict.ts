// The verifier's judgement of one rollout. Outcomes are data: a tagged union with a reason.
import { z } from 'zod';
import { Envelope, Id } from './common.ts';
import { OutcomeKind } from './outcome.ts';

export const Outcome = z.object({
  kind: OutcomeKind,
  reason: z.string(),
  /** Which rule decided (math cascade step, or the failing test for code). */
  rule: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type Outcome = z.infer<typeof Outcome>;

/** 1 correct, 0 wrong or unparseable, null unscorable (timeout, error). */
export const Reward = z.union([z.literal(0), z.literal(1), z.null()]);
export type Reward = z.infer<typeof Reward>;

export const Verdict = Envelope.extend({
  kind: z.literal('verdict'),
  rolloutId: Id,
  taskId: Id,
  groupId: Id,
  /** Position of the group within its step's batch, 0..tasksPerStep-1 (the learner adds gradients in this order). */
  groupIndex: z.int().min(0),
  index: z.int().min(0),
  groupSize: z.int().min(1),
  outcome: Outcome,
  reward: Reward,
  verifier: z.string(),
  verifyMs: z.number().nonnegative(),
  /** Copied from the rollout so the normalizer and learner need no lookup. */
  promptTokens: z.array(z.int().min(0)),
  responseTokens: z.array(z.int().min(0)),
  /** Copied from the rollout: false when the length cap cut the response (overlong filtering reads it). */
  finished: z.boolean().optional(),
});
export type Verdict = z.infer<typeof Verdict>;
