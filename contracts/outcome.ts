// The verifier outcome kinds, shared by the math and code rewards and the verdict message.
// Outcomes are data, never exceptions.
import { z } from 'zod';

export const OutcomeKind = z.enum(['correct', 'wrong', 'unparseable', 'timeout', 'error']);
export type OutcomeKind = z.infer<typeof OutcomeKind>;

/** Reward for an outcome: 1 for correct, 0 for wrong/unparseable, null when unscorable. */
export function rewardOf(kind: OutcomeKind): 1 | 0 | null {
  if (kind === 'correct') return 1;
  if (kind === 'wrong' || kind === 'unparseable') return 0;
  return null;
}
