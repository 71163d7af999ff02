import { z } from 'zod';

export const NormalizerConfig = z.strictObject({
  /**
   * A group still incomplete this long after its first verdict is closed as partial (its
   * missing members take no part), and the closure is logged. Default 120 s.
   */
  groupTimeoutMs: z.int().min(10).default(120_000),
  /** Drop groups whose rewards are all equal (the paper keeps them: default false). */
  dropDegenerate: z.boolean().default(false),
  /**
   * Overlong filtering: responses cut by the length cap are left out of the group's statistics
   * and of the loss instead of scored 0 (DAPO's option; the paper does not use it: default false).
   */
  overlongFilter: z.boolean().default(false),
  /** Verdicts held at once while their groups fill. Default 4096. */
  capacity: z.int().min(1).max(100_000).default(4096),
  /** Redelivery of verdicts held by a normalizer that died, ms. Default 30 s. */
  ackWaitMs: z.int().min(100).default(30_000),
});
export type NormalizerConfig = z.infer<typeof NormalizerConfig>;
