import { describe, expect, it } from 'vitest';
import type { ScoredGroup, ScoredMember } from '../../contracts/scored.ts';
import { groupPassRates, stepMetrics, stepRecord } from './step-metrics.ts';

const member = (id: string, reward: 0 | 1 | null, responseLen: number): ScoredMember => ({
  rolloutId: id,
  index: 0,
  outcome: reward === 1 ? 'correct' : reward === 0 ? 'wrong' : 'timeout',
  reward,
  advantage: 0,
  promptTokens: [1, 2],
  responseTokens: Array.from({ length: responseLen }, () => 3),
});

function group(index: number, policyVersion: number, members: ScoredMember[], over: Partial<ScoredGroup> = {}): ScoredGroup {
  return { kind: 'scored-group', id: `g.s4.${index}`, runId: 'r', step: 4, policyVersion, ts: 0, groupId: `g.s4.${index}`, groupIndex: index, taskId: `t${index}`, members, rewardMean: 0, rewardStd: 0, completion: 'complete', missing: [], dropped: false, ...over };
}

// Step 4: group 0 half right (one unscorable), group 1 all wrong and partial, group 2 dropped,
// group 3 off-policy (version 2), all right.
const groups = [
  group(0, 4, [member('a', 1, 4), member('b', 0, 6), member('c', null, 8)]),
  group(1, 3, [member('d', 0, 2), member('e', 0, 2)], { completion: 'partial', missing: [2] }),
  group(2, 4, [member('f', 1, 1), member('g', 1, 1)], { dropped: true }),
  group(3, 2, [member('h', 1, 10)]),
];
const s = { groups, offPolicy: new Set(['g.s4.3']) };
const stats = { loss: 0.5, entropy: 1.25, tokenCount: 34, microBatches: 3 };
const times = { seconds: 2, lastArrival: 100, closed: 130, optimized: 150, announced: 190, saved: 260 };

describe('step metrics', () => {
  it('pass rates count the scorable members of each task', () => {
    expect([...groupPassRates(groups)]).toEqual([['t0', 0.5], ['t1', 0], ['t2', 1], ['t3', 1]]);
    expect(groupPassRates([group(0, 4, [member('x', null, 1)])]).size).toBe(0);
  });

  it('responses at the cap count as cut', () => {
    const m = stepMetrics(4, s, 6, stats, { gradNorm: 0.75, lr: 2e-4 }, times);
    expect([m['response/max_tokens'], m['response/cut_frac']]).toEqual([10, 3 / 8]); // lengths 6, 8 and 10 of 8
  });

  it('the metrics record', () => {
    expect(stepMetrics(4, s, 64, stats, { gradNorm: 0.75, lr: 2e-4 }, times)).toEqual({
      'reward/mean': 4 / 7,
      'reward/pass_rate': 3 / 4,
      'reward/unscorable': 1,
      'response/mean_tokens': 34 / 8,
      'response/max_tokens': 10,
      'response/max_tokens_cap': 64,
      'response/cut_frac': 0,
      'learner/loss': 0.5,
      'learner/entropy': 1.25,
      'learner/grad_norm': 0.75,
      'learner/lr': 2e-4,
      'learner/response_tokens': 34,
      'learner/micro_batches': 3,
      'learner/groups_partial': 1,
      'learner/groups_dropped': 1,
      'learner/groups': 4,
      'reward/all_equal_frac': 3 / 4, // groups 1 (0, 0), 2 (1, 1) and 3 (one member)
      'learner/groups_off_policy': 1,
      'learner/policy_lag_max': 2,
      'step/seconds': 2,
      'step/tail_after_last_group_ms': 30,
      'step/optimizer_ms': 20,
      'step/publish_ms': 40,
      'step/checkpoint_ms': 70,
      'step/tokens_per_s': 17,
    });
  });

  it('the ledger entry leaves out the rollouts of dropped and off-policy groups', () => {
    const r = stepRecord('r', 4, 'hard', s, { m: 1 }, 1000, 3000);
    expect(r).toEqual({ kind: 'step', id: 'step.r.4', runId: 'r', step: 4, policyVersion: 4, ts: 3000, stage: 'hard', rolloutIds: ['a', 'b', 'c', 'd', 'e'], groupIds: ['g.s4.0', 'g.s4.1', 'g.s4.2', 'g.s4.3'], metrics: { m: 1 }, startedAt: 1000, endedAt: 3000 });
  });
});
