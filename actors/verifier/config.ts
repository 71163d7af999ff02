import { z } from 'zod';
import { JudgeSettings } from '../../ops/reward/judge.ts';

export const VerifierConfig = z.strictObject({
  /** The judge's pools: math workers and deadline, code workers (ops/reward/judge.ts). */
  ...JudgeSettings.shape,
  /** Rollouts judged at once by this instance. Default 16. */
  concurrency: z.int().min(1).max(4096).default(16),
  /** Redelivery of a rollout whose verifier died before acking, ms. Default 30 s. */
  ackWaitMs: z.int().min(100).default(30_000),
});
export type VerifierConfig = z.infer<typeof VerifierConfig>;
