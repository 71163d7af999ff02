import { describe, expect, it } from 'vitest';
import { type SeenRollout, stuckWork, type WorkView } from './stuck.ts';

const T = 60_000;
const now = 1_000_000;

function view(over: Partial<WorkView>): WorkView {
  return {
    now,
    stuckAfterMs: T,
    committedSteps: 3,
    totalSteps: 10,
    stepSince: now - 1000,
    tasks: [],
    rollouts: [],
    verdicts: new Map(),
    scored: new Set(),
    scoredInStep: 0,
    groupsPerStep: 4,
    verifierOf: (d) => (d === 'math' ? { actor: 'math-verifier', running: 0 } : null),
    running: (a) => (a === 'generator' ? 2 : 1),
    backlogOf: () => ({ pending: 5, ackPending: 1 }),
    ...over,
  };
}

const rollout = (group: string, i: number, ageMs: number, over: Partial<SeenRollout> = {}): SeenRollout => ({ id: `${group}.${i}`, step: 3, groupId: group, groupSize: 2, domain: 'math', ts: now - ageMs, ...over });

describe('stuck work', () => {
  it('names nothing while everything is younger than the threshold', () => {
    expect(stuckWork(view({ rollouts: [rollout('g1', 0, T - 1)], tasks: [{ taskId: 't', groupId: 'g', step: 3, domain: 'math', ts: now - T + 1 }] }))).toEqual([]);
  });

  it('a rollout without a verdict past the threshold waits on its verifier, with its backlog', () => {
    const [item] = stuckWork(view({ rollouts: [rollout('g1', 0, T + 5000), rollout('g1', 1, T + 5000)], verdicts: new Map([['g1.1', { ts: now - 10 }]]) }));
    expect(item).toEqual({ kind: 'rollout', id: 'g1.0', step: 3, waitedMs: T + 5000, where: 'waits for a verdict from math-verifier (0 running; its consumer: 5 pending, 1 ack-pending)' });
  });

  it('a rollout of a domain no verifier judges says so', () => {
    expect(stuckWork(view({ rollouts: [rollout('g1', 0, T + 1, { domain: 'code', groupSize: 1 })] }))[0].where).toBe('waits for a verdict: no verifier actor judges code');
  });

  it('a fully judged group not scored waits on the normalizer; a scored one is not listed', () => {
    const rollouts = [rollout('g1', 0, 3 * T), rollout('g1', 1, 3 * T), rollout('g2', 0, 3 * T), rollout('g2', 1, 3 * T)];
    const verdicts = new Map(rollouts.map((r) => [r.id, { ts: now - 2 * T }]));
    const items = stuckWork(view({ rollouts, verdicts, scored: new Set(['g2']) }));
    expect(items).toEqual([{ kind: 'group', id: 'g1', step: 3, waitedMs: 2 * T, where: 'all 2 verdicts in, not scored: waits for the normalizer (1 running)' }]);
  });

  it('an incomplete group past the threshold, counted', () => {
    const items = stuckWork(view({ rollouts: [rollout('g1', 0, T + 1, { groupSize: 4 })], verdicts: new Map([['g1.0', { ts: now - 5 }]]) }));
    expect(items).toEqual([{ kind: 'group', id: 'g1', step: 3, waitedMs: T + 1, where: 'incomplete: 1/4 rollouts sampled, 1 judged' }]);
  });

  it('committed steps are closed: their leftovers are not stuck', () => {
    expect(stuckWork(view({ rollouts: [rollout('g0', 0, 10 * T, { step: 2 })], tasks: [{ taskId: 't', groupId: 'g', step: 2, domain: 'math', ts: now - 10 * T }] }))).toEqual([]);
  });

  it('the step in progress past the threshold, and not after the last step', () => {
    const late = view({ stepSince: now - 2 * T, scoredInStep: 3 });
    expect(stuckWork(late)).toEqual([{ kind: 'step', id: 'step 3', step: 3, waitedMs: 2 * T, where: 'not committed: the learner has 3/4 scored groups (1 learner running)' }]);
    expect(stuckWork({ ...late, committedSteps: 10 })).toEqual([]);
  });

  it('a task left in the prompts queue names the generators running', () => {
    const items = stuckWork(view({ tasks: [{ taskId: 't9', groupId: 'g9', step: 4, domain: 'math', ts: now - T - 1 }] }));
    expect(items).toEqual([{ kind: 'task', id: 't9', step: 4, waitedMs: T + 1, where: 'prompts work queue: no generator has finished it (2 generator instance(s) running)' }]);
  });

  it('orders step, groups, rollouts, tasks, the longest wait first, at most `limit` of a kind', () => {
    const rollouts = [rollout('a', 0, T + 1, { groupSize: 1 }), rollout('b', 0, T + 9, { groupSize: 1 }), rollout('c', 0, T + 5, { groupSize: 1 })];
    const items = stuckWork(view({ rollouts, stepSince: now - 2 * T }), 2);
    expect(items.map((i) => `${i.kind}:${i.id}`)).toEqual(['step:step 3', 'rollout:b.0', 'rollout:c.0']);
  });
});
