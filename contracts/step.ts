// The ledger entry of one optimizer step: what entered its gradient, and its metrics.
import { z } from 'zod';
import { Envelope, Id } from './common.ts';

export const StepRecord = Envelope.extend({
  kind: z.literal('step'),
  /** The recipe stage the step belongs to. */
  stage: z.string().min(1).max(40).optional(),
  rolloutIds: z.array(Id),
  groupIds: z.array(Id),
  /** Metric name (a path such as `learner/entropy`) -> value. */
  metrics: z.record(z.string(), z.number()),
  startedAt: z.number(),
  endedAt: z.number(),
});
export type StepRecord = z.infer<typeof StepRecord>;
