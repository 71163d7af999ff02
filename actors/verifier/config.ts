import { z } from 'zod';

export const VerifierConfig = z.strictObject({
  /** Math worker threads in this process (each one core). Default 1. */
  mathWorkers: z.int().min(1).max(64).default(1),
  /** Hard deadline per math case, ms, enforced by terminating the worker. Default 2000. */
  mathDeadlineMs: z.int().min(10).default(2000),
  /** JavaScript isolates and Python sandboxes for code rollouts. Default 1 each. */
  codeJsWorkers: z.int().min(1).max(64).default(1),
  codePyWorkers: z.int().min(1).max(64).default(1),
  /** Rollouts judged at once by this instance. Default 16. */
  concurrency: z.int().min(1).max(4096).default(16),
  /**
   * Test knob: each verdict takes this many times as long (the extra time is spent waiting),
   * to study backpressure with a slow verifier. Default 1.
   */
  slowFactor: z.number().min(1).max(1000).default(1),
  /**
   * Bench knob: CPU time burnt per rollout on top of the reward, ms, to stand in for costly
   * verification (running code against many tests). Default 0.
   */
  burnMsPerRollout: z.number().min(0).max(60_000).default(0),
  /** Redelivery of a rollout whose verifier died before acking, ms. Default 30 s. */
  ackWaitMs: z.int().min(100).default(30_000),
});
export type VerifierConfig = z.infer<typeof VerifierConfig>;
