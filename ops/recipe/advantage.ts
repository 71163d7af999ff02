// Group-normalized advantages (GRPO): A_i = (r_i - mean(r)) / std(r) over the group's
// scorable members. Unscorable members (reward null: timeout, error) are left out of mean and
// std and get advantage 0, so they neither push nor pull the policy.
// std is the population standard deviation (divide by n), the form the GRPO paper writes;
// a group whose scorable rewards are all equal has std 0 and every advantage 0.
import type { Reward } from '../../contracts/verdict.ts';

export interface GroupAdvantages {
  advantages: number[];
  mean: number;
  std: number;
  scorable: number;
  /** True when std is 0 (all scorable rewards equal, or fewer than 2 scorable). */
  degenerate: boolean;
}

/** Small constant added to std, as implementations do, so a near-equal group cannot explode. */
export const ADVANTAGE_EPS = 1e-6;

export function groupAdvantages(rewards: readonly Reward[]): GroupAdvantages {
  const scored = rewards.filter((r): r is 0 | 1 => r !== null);
  const n = scored.length;
  const mean = n ? scored.reduce((s: number, r) => s + r, 0) / n : 0;
  const variance = n ? scored.reduce((s: number, r) => s + (r - mean) ** 2, 0) / n : 0;
  const std = Math.sqrt(variance);
  const degenerate = std === 0;
  const advantages = rewards.map((r) => (r === null || degenerate ? 0 : (r - mean) / (std + ADVANTAGE_EPS)));
  return { advantages, mean, std, scorable: n, degenerate };
}
