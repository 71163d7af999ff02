// Counts code verdicts by outcome ('correct', or kind/reason of the first failure), the form
// the dataset tests compare against.
import type { CodeVerdict } from '../../ops/reward/code/types.ts';

export function tallyVerdicts(vs: readonly CodeVerdict[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of vs) {
    const k = v.kind === 'correct' ? 'correct' : `${v.kind}/${v.firstFailure?.reason ?? v.reason}`;
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}
