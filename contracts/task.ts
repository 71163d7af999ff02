// A prompt to sample: one task, to be answered G times (one group) with a given policy version.
import { z } from 'zod';
import { Domain, Envelope, Id } from './common.ts';

export const Task = Envelope.extend({
  kind: z.literal('task'),
  taskId: Id,
  groupId: Id,
  /** Position of the group within its step's batch, 0..tasksPerStep-1 (the learner adds gradients in this order). */
  groupIndex: z.int().min(0),
  domain: Domain,
  prompt: z.string().min(1),
  /** Gold answer in LaTeX (math). */
  gold: z.string().optional(),
  /** Test cases (code), in the code verifier's CodeTests format. */
  tests: z.unknown().optional(),
  /** Responses to sample for this task (G in GRPO). */
  groupSize: z.int().min(1).max(1024),
  /** Response-length cap of the current curriculum stage, in tokens. */
  maxResponseTokens: z.int().min(1),
  /** The recipe stage that released it (the learner's stage names). */
  stage: z.string().min(1).max(40).optional(),
  /** Difficulty level or other curation metadata. */
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type Task = z.infer<typeof Task>;
