// The learner's per-step numbers: the groups' pass rates (they steer the hard-prompt
// curriculum), the step's metrics and its ledger record. Pure: the actor passes in its clock
// readings.
import type { ScoredGroup } from '../../contracts/scored.ts';
import type { StepRecord } from '../../contracts/step.ts';
import type { StepReport } from '../../ops/model/adamw.ts';
import type { StepStats } from '../../ops/model/learner.ts';

/** A closed step's groups, in index order, and the ids of those left out as off-policy. */
export interface StepGroups {
  groups: readonly ScoredGroup[];
  offPolicy: ReadonlySet<string>;
}

/** Clock readings of one step: performance.now() ms, except `seconds` (the step's wall time). */
export interface StepTimes {
  seconds: number;
  /** The step's last group in. */
  lastArrival: number;
  /** The step's groups all added (gradients done). */
  closed: number;
  optimized: number;
  /** New version written and announced, next prompts released. */
  announced: number;
  /** Checkpoint complete. */
  saved: number;
}

/** Each task's share of correct responses among its scorable ones (tasks without any are left out). */
export function groupPassRates(groups: readonly ScoredGroup[]): Map<string, number> {
  const rates = new Map<string, number>();
  for (const g of groups) {
    const scored = g.members.filter((m) => m.reward !== null);
    if (scored.length) rates.set(g.taskId, scored.filter((m) => m.reward === 1).length / scored.length);
  }
  return rates;
}

export function stepMetrics(step: number, s: StepGroups, maxResponseTokens: number, stats: StepStats, report: Pick<StepReport, 'gradNorm' | 'lr'>, t: StepTimes): Record<string, number> {
  const rewards = s.groups.flatMap((g) => g.members.map((m) => m.reward)).filter((r): r is 0 | 1 => r !== null);
  const responseLens = s.groups.flatMap((g) => g.members.map((m) => m.responseTokens.length));
  return {
    'reward/mean': rewards.length ? rewards.reduce((sum: number, r) => sum + r, 0) / rewards.length : 0,
    'reward/pass_rate': s.groups.filter((g) => g.members.some((m) => m.reward === 1)).length / s.groups.length,
    'reward/unscorable': s.groups.reduce((sum, g) => sum + g.members.filter((m) => m.reward === null).length, 0),
    'response/mean_tokens': responseLens.reduce((sum, n) => sum + n, 0) / Math.max(1, responseLens.length),
    'response/max_tokens': responseLens.reduce((m, n) => Math.max(m, n), 0),
    'response/max_tokens_cap': maxResponseTokens,
    // Share of responses the length cap cut (they reached it before an end of sequence).
    'response/cut_frac': responseLens.filter((n) => n >= maxResponseTokens).length / Math.max(1, responseLens.length),
    'learner/loss': stats.loss,
    'learner/entropy': stats.entropy,
    'learner/grad_norm': report.gradNorm,
    'learner/lr': report.lr,
    'learner/response_tokens': stats.tokenCount,
    'learner/micro_batches': stats.microBatches,
    'learner/groups_partial': s.groups.filter((g) => g.completion === 'partial').length,
    'learner/groups_dropped': s.groups.filter((g) => g.dropped).length,
    // Groups sampled for the step (above tasksPerStep when dynamic sampling refilled it).
    'learner/groups': s.groups.length,
    // Groups whose scorable rewards are all equal: no signal under group normalization.
    'reward/all_equal_frac': s.groups.filter((g) => new Set(g.members.map((m) => m.reward).filter((r) => r !== null)).size <= 1).length / s.groups.length,
    'learner/groups_off_policy': s.offPolicy.size,
    'learner/policy_lag_max': Math.max(...s.groups.map((g) => step - g.policyVersion)),
    // Where the step's wall time went: last group in -> optimizer done -> version out and
    // prompts released -> checkpoint complete.
    'step/seconds': t.seconds,
    'step/tail_after_last_group_ms': t.closed - t.lastArrival,
    'step/optimizer_ms': t.optimized - t.closed,
    'step/publish_ms': t.announced - t.optimized,
    'step/checkpoint_ms': t.saved - t.announced,
    'step/tokens_per_s': responseLens.reduce((sum, n) => sum + n, 0) / t.seconds,
  };
}

/** The step's ledger entry: the rollouts that trained it (not those of dropped or off-policy groups). */
export function stepRecord(runId: string, step: number, stage: string, s: StepGroups, metrics: Record<string, number>, startedAt: number, now: number): StepRecord {
  return {
    kind: 'step',
    id: `step.${runId}.${step}`,
    runId,
    step,
    policyVersion: step,
    ts: now,
    stage,
    rolloutIds: s.groups.flatMap((g) => (g.dropped || s.offPolicy.has(g.groupId) ? [] : g.members.map((m) => m.rolloutId))),
    groupIds: s.groups.map((g) => g.groupId),
    metrics,
    startedAt,
    endedAt: now,
  };
}
