// One sampled response, published as soon as it finishes, tagged with the policy version
// that produced it. Token ids travel with it so the learner needs nothing else.
import { z } from 'zod';
import { Domain, Envelope, Id } from './common.ts';

export const Rollout = Envelope.extend({
  kind: z.literal('rollout'),
  taskId: Id,
  groupId: Id,
  /** Position of the group within its step's batch, 0..tasksPerStep-1 (the learner adds gradients in this order). */
  groupIndex: z.int().min(0),
  /** Position within the group, 0..groupSize-1. */
  index: z.int().min(0),
  groupSize: z.int().min(1),
  domain: Domain,
  gold: z.string().optional(),
  tests: z.unknown().optional(),
  response: z.string(),
  promptTokens: z.array(z.int().min(0)),
  responseTokens: z.array(z.int().min(0)),
  /** log p(token) under the sampling policy, one per response token. */
  logprobs: z.array(z.number()),
  /** False when the response hit the length cap before end-of-sequence. */
  finished: z.boolean(),
  generator: z.string(),
  genMs: z.number().nonnegative(),
});
export type Rollout = z.infer<typeof Rollout>;
