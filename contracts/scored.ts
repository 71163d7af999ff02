// A group with its group-normalized advantages, ready for the learner.
import { z } from 'zod';
import { Envelope, Id } from './common.ts';
import { OutcomeKind } from './outcome.ts';
import { Reward } from './verdict.ts';

export const ScoredMember = z.object({
  rolloutId: Id,
  index: z.int().min(0),
  outcome: OutcomeKind,
  reward: Reward,
  /** (r - mean) / std over the scorable members; 0 for unscorable and overlong ones. */
  advantage: z.number(),
  /**
   * Overlong filtering (normalizer `overlongFilter`): the length cap cut this response, so it
   * takes no part in the group's mean and std, and the learner leaves it out of the loss
   * (its tokens are not counted) instead of training on its reward of 0.
   */
  overlong: z.boolean().optional(),
  promptTokens: z.array(z.int().min(0)),
  responseTokens: z.array(z.int().min(0)),
});
export type ScoredMember = z.infer<typeof ScoredMember>;

export const ScoredGroup = Envelope.extend({
  kind: z.literal('scored-group'),
  groupId: Id,
  /** Position of the group within its step's batch, 0..tasksPerStep-1 (the learner adds gradients in this order). */
  groupIndex: z.int().min(0),
  taskId: Id,
  members: z.array(ScoredMember).min(1),
  rewardMean: z.number(),
  rewardStd: z.number(),
  /** complete: every member verified; partial: closed by the incomplete-group policy. */
  completion: z.enum(['complete', 'partial']),
  /** Indices of members that never got a verdict (partial groups). */
  missing: z.array(z.int().min(0)).default([]),
  /** All scorable rewards equal and the drop policy is on: the learner skips this group. */
  dropped: z.boolean().default(false),
});
export type ScoredGroup = z.infer<typeof ScoredGroup>;
